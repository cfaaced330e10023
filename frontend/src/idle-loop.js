// deck.gl's animation loop asks the browser for a frame 60 times a second for as long
// as the map is open, though it draws only when something changed. Each of those ticks
// makes the browser run a frame (style, layout, compositing): an idle map page cost
// about a tenth of a core here (0.97 s of the renderer's CPU and 0.22 s of the GPU
// process's in 10 s) against 0.26 s with the loop stopped, on a laptop's battery as on
// a machine without a GPU. Here the loop sleeps once it has had nothing to do for
// QUIET_FRAMES ticks, and wakes on anything that can give it work: new props, a pointer
// or key on the map, a resize, or (checked every POLL_MS) work that arrived on its own
// (tiles and other data loaded, a redraw asked for).

/** Ticks with nothing to do before the loop sleeps (about half a second at 60 fps). */
export const QUIET_FRAMES = 30;
/** How often a sleeping loop looks for work that arrived with no event (ms). */
export const POLL_MS = 100;
const WAKING_EVENTS = ['pointerdown', 'pointermove', 'pointerup', 'wheel', 'keydown', 'touchstart', 'touchmove'];

/** True while deck.gl has something to do in its next frame. */
export function deckHasWork(deck) {
  if (!deck.layerManager || !deck.viewManager) return true; // still starting
  if (deck.needsRedraw({clearRedrawFlags: false}) || deck.layerManager.needsUpdate()) return true;
  if (deck._pickRequest && deck._pickRequest.event) return true; // a hover to pick
  return Object.values(deck.viewManager.controllers || {}).some((c) => {
    const t = c && c.transitionManager && c.transitionManager.transition;
    return Boolean(t && t.inProgress); // a flight or a smooth zoom
  });
}

/**
 * Let `deck`'s animation loop sleep while idle; `root` is the element holding the map
 * (its pointer and key events wake the loop). Returns {asleep(), ticks(), wake()}.
 */
export function sleepWhenIdle(deck, root) {
  const loop = deck.animationLoop;
  let quiet = 0;
  let asleep = false;
  let ticks = 0;
  loop._animationFrame = function animationFrame(time) {
    if (!this._running) return;
    ticks += 1;
    this.redraw(time);
    quiet = deckHasWork(deck) ? 0 : quiet + 1;
    if (quiet < QUIET_FRAMES) this._requestAnimationFrame();
    else asleep = true;
  };
  const wake = () => {
    quiet = 0;
    if (asleep && loop._running && deck.animationLoop === loop) {
      asleep = false;
      loop._requestAnimationFrame();
    }
  };
  const setProps = deck.setProps.bind(deck);
  deck.setProps = (props) => { setProps(props); wake(); };
  for (const type of WAKING_EVENTS) root.addEventListener(type, wake, {capture: true, passive: true});
  if (typeof ResizeObserver === 'function') new ResizeObserver(wake).observe(root);
  setInterval(() => { if (asleep && deck.layerManager && deckHasWork(deck)) wake(); }, POLL_MS);
  return {asleep: () => asleep, ticks: () => ticks, wake};
}
