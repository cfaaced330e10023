// The list of a cluster's incidents when zooming cannot part them (they share one
// spot even at the clusters' last zoom): a small panel by the click, one button per
// incident ("place — date"), which selects it as a click on its marker would.
// Escape or the close button closes it. Text is set with textContent.

function el(tag, attrs = {}, text) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  if (text != null) node.textContent = text;
  return node;
}

export class ClusterList {
  /** onPick(item) is called with the chosen item ({id, index, label, lon, lat}). */
  constructor(parent, onPick) {
    this.box = el('div', {class: 'cluster-list', role: 'dialog', 'aria-label': 'Incidents at this spot'});
    this.box.hidden = true;
    this.onPick = onPick;
    this.box.addEventListener('keydown', (event) => {
      if (event.key === 'Escape') { event.stopPropagation(); this.hide(); }
    });
    parent.appendChild(this.box);
  }

  get open() { return !this.box.hidden; }

  /** Show `items` near (x, y), CSS px within the map. */
  show(x, y, items) {
    const head = el('div', {class: 'cluster-list-head'});
    head.append(el('span', {class: 'cluster-list-title'}, `${items.length} incidents at this spot`));
    const close = el('button', {type: 'button', class: 'cluster-list-close', 'aria-label': 'Close the list', title: 'Close'}, '×');
    close.addEventListener('click', () => this.hide());
    head.append(close);
    const list = el('ul', {class: 'cluster-list-items'});
    for (const item of items) {
      const b = el('button', {type: 'button', class: 'cluster-list-item', 'data-feature': String(item.id)}, item.label);
      b.addEventListener('click', () => { this.hide(); this.onPick(item); });
      const li = el('li');
      li.appendChild(b);
      list.appendChild(li);
    }
    this.box.replaceChildren(head, list);
    this.box.hidden = false;
    const parent = this.box.parentElement;
    const W = parent ? parent.clientWidth : 800; const H = parent ? parent.clientHeight : 600;
    const w = this.box.offsetWidth; const h = this.box.offsetHeight;
    const left = Math.max(4, Math.min(x + 12, W - w - 4)); const top = Math.max(4, Math.min(y + 12, H - h - 4));
    this.box.style.transform = `translate(${Math.round(left)}px, ${Math.round(top)}px)`;
    const first = list.querySelector('button');
    if (first) first.focus();
  }

  hide() { this.box.hidden = true; }
}
