// deck.gl's animation loop asks the browser for a frame 60 times a second for as long
// as the map is open, though it draws only when something changed. Each of those ticks
// makes the browser run a frame (style, layout, compositing): an idle map page cost
// about a tenth of a core here (benchmarks/bench_idle.py: 1.13 CPU-s in 10 s for the
// st.pydeck_chart page, 0.08 s for this map). Here the loop sleeps once it has had
// nothing to do for QUIET_FRAMES ticks, and wakes on anything that can give it work: new
// props, a pointer or key on the map, a resize, or (checked every POLL_MS) work that
// arrived on its own (tiles and other data loaded, a redraw asked for). The timeline
// deck.gl's transitions run on is paused while the loop sleeps: it advances by the time
// between ticks, so a flight started after a sleep would otherwise begin that far along
// (or be over at its first frame).

/** Ticks with nothing to do before the loop sleeps (about half a second at 60 fps). */
export const QUIET_FRAMES = 30;
/** How often a sleeping loop looks for work that arrived with no event (ms). */
export const POLL_MS = 100;
const WAKING_EVENTS = ['pointerdown', 'pointermove', 'pointerup', 'pointerleave', 'wheel', 'keydown', 'keyup',
  'touchstart', 'touchmove'];

/** True while deck.gl has something to do in its next frame. */
export function deckHasWork(deck) {
  if (!deck.layerManager || !deck.viewManager) return true; // still starting
  if (deck.needsRedraw({clearRedrawFlags: false}) || deck.layerManager.needsUpdate()) return true;
  if (deck.animationLoop && deck.animationLoop._needsRedraw) return true; // luma's own (waitForRender)
  if (deck._pickRequest && deck._pickRequest.event) return true; // a hover to pick
  return Object.values(deck.viewManager.controllers || {}).some((c) => {
    const t = c && c.transitionManager && c.transitionManager.transition;
    return Boolean(t && t.inProgress); // a flight or a smooth zoom
  });
}

/**
 * Let `deck`'s animation loop sleep while idle; `root` is the element holding the map
 * (its pointer and key events wake the loop). Returns {asleep(), ticks(), wakes()}:
 * `wakes` counts the times the loop woke, by what woke it (props, event, resize, poll).
 */
export function sleepWhenIdle(deck, root) {
  const loop = deck.animationLoop;
  const wakes = {props: 0, event: 0, resize: 0, poll: 0};
  let quiet = 0;
  let asleep = false;
  let ticks = 0;
  loop._animationFrame = function animationFrame(time) {
    if (!this._running) return;
    ticks += 1;
    if (this.timeline && !this.timeline.playing) this.timeline.play(); // from this tick on
    try {
      this.redraw(time);
    } catch (err) {
      asleep = true; // as deck.gl's own loop, stop; the next wake tries again
      throw err;
    }
    quiet = deckHasWork(deck) ? 0 : quiet + 1;
    if (quiet < QUIET_FRAMES) {
      this._requestAnimationFrame();
    } else {
      asleep = true;
      if (this.timeline) this.timeline.pause(); // stands still until the next tick
    }
  };
  const wake = (why) => {
    quiet = 0;
    if (asleep && loop._running && deck.animationLoop === loop) {
      asleep = false;
      wakes[why] = (wakes[why] || 0) + 1;
      loop._requestAnimationFrame();
    }
  };
  const setProps = deck.setProps.bind(deck);
  deck.setProps = (props) => { setProps(props); wake('props'); };
  for (const type of WAKING_EVENTS) root.addEventListener(type, () => wake('event'), {capture: true, passive: true});
  if (typeof ResizeObserver === 'function') new ResizeObserver(() => wake('resize')).observe(root);
  setInterval(() => { if (asleep && deck.layerManager && deckHasWork(deck)) wake('poll'); }, POLL_MS);
  return {asleep: () => asleep, ticks: () => ticks, wakes: () => ({...wakes})};
}
