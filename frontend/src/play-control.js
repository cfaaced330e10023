// The timeline's play control (bottom centre of the map): play/pause, previous and
// next period, step by week or month, the current period's readout, and "show all".
// Plain buttons and a select: reachable with Tab, labelled with aria-label; every
// text is set with textContent. It only reports what the user asks (handlers); the
// playing itself is main.js's.

const SVG = 'http://www.w3.org/2000/svg';
const ICONS = {
  play: ['M6 4l10 6-10 6z'],
  pause: ['M6 4h3v12H6zM11 4h3v12h-3z'],
  prev: ['M14 4 7 10l7 6', 'M5 4v12'],
  next: ['M6 4l7 6-7 6', 'M15 4v12'],
  all: ['M5 5l10 10M15 5 5 15'],
};

function el(tag, attrs = {}, text) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  if (text != null) node.textContent = text;
  return node;
}

function icon(name) {
  const svg = document.createElementNS(SVG, 'svg');
  svg.setAttribute('viewBox', '0 0 20 20');
  svg.setAttribute('aria-hidden', 'true');
  svg.setAttribute('focusable', 'false');
  for (const d of ICONS[name]) {
    const path = document.createElementNS(SVG, 'path');
    path.setAttribute('d', d);
    svg.appendChild(path);
  }
  return svg;
}

export class PlayControl {
  /** handlers: onPlay(), onStep(delta), onStepKind('week' | 'month'), onAll(). */
  constructor(parent, handlers) {
    this.box = el('div', {class: 'play', role: 'group', 'aria-label': 'Incident timeline'});
    this.box.hidden = true;
    const button = (action, label, name) => {
      const b = el('button', {type: 'button', class: 'play-button', 'data-action': action, 'aria-label': label, title: label});
      b.appendChild(icon(name));
      return b;
    };
    this.play = button('play', 'Play the incident timeline', 'play');
    this.play.setAttribute('aria-pressed', 'false');
    this.prev = button('prev', 'Previous period', 'prev');
    this.next = button('next', 'Next period', 'next');
    this.all = button('all', 'Show all incidents', 'all');
    this.step = el('select', {class: 'play-step', 'aria-label': 'Step by', title: 'Step by'});
    for (const [value, text] of [['month', 'Month'], ['week', 'Week']]) this.step.appendChild(el('option', {value}, text));
    this.period = el('output', {class: 'play-period', 'aria-label': 'Timeline period', 'aria-live': 'polite'}, 'All dates');
    this.play.addEventListener('click', () => handlers.onPlay());
    this.prev.addEventListener('click', () => handlers.onStep(-1));
    this.next.addEventListener('click', () => handlers.onStep(1));
    this.all.addEventListener('click', () => handlers.onAll());
    this.step.addEventListener('change', () => handlers.onStepKind(this.step.value));
    this.box.append(this.play, this.prev, this.next, this.step, this.period, this.all);
    parent.appendChild(this.box);
  }

  /**
   * Show the state: {available, playing, step, period ({key, label, start, end} or
   * null: every date), atStart, atEnd}. The numbers for tests sit on the box
   * (data-playing, data-step, data-period, data-start, data-end).
   */
  set({available, playing, step, period, atStart, atEnd}) {
    this.box.hidden = !available;
    const label = playing ? 'Pause the incident timeline' : 'Play the incident timeline';
    // The icon changes only with the state: replaced on every step of a playback, a click
    // whose press and release straddled a step was lost (seen in a test run).
    if (this.iconPlaying !== Boolean(playing)) this.play.replaceChildren(icon(playing ? 'pause' : 'play'));
    this.iconPlaying = Boolean(playing);
    this.play.setAttribute('aria-label', label);
    this.play.title = label;
    this.play.setAttribute('aria-pressed', String(Boolean(playing)));
    if (this.step.value !== step) this.step.value = step;
    this.period.textContent = period ? period.label : 'All dates';
    this.prev.disabled = Boolean(period && atStart);
    this.next.disabled = Boolean(period && atEnd);
    this.all.disabled = !period;
    Object.assign(this.box.dataset, {playing: playing ? '1' : '0', step, period: period ? period.key : '',
      start: period ? period.start : '', end: period ? period.end : ''});
  }
}
