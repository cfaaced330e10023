// The basemap a user brings (docs/map-protocol.md, "basemap"): raster tiles (PNG, JPEG,
// WebP) drawn with deck.gl's TileLayer + BitmapLayer, or vector tiles (MVT) with its
// MVTLayer, under every layer of the spec; its attribution in the map's corner (text,
// never markup). With no `args.basemap` nothing is drawn and nothing is fetched.
//
// The tiles come from the app itself (`_basemap/<token>/{z}/{x}/{y}`, relative to the
// app's root, i.e. two levels above this component's index.html), a local file's and
// an XYZ URL's alike (the app fetches those): the page's CSP allows no other host.
// MVT tiles are parsed on the main thread: loaders.gl's default worker would be
// fetched from a CDN.
//
// geo-layers is imported by file: its index pulls in H3, A5, 3D Tiles and more
// (~400 kB) that the map never uses; TileLayer and MVTLayer add ~80 kB.
import {BitmapLayer} from '@deck.gl/layers';
import {MVTLoader} from '@loaders.gl/mvt';
import TileLayer from '../node_modules/@deck.gl/geo-layers/dist/tile-layer/tile-layer.js';
import MVTLayer from '../node_modules/@deck.gl/geo-layers/dist/mvt-layer/mvt-layer.js';

export const BASEMAP_ID = 'basemap';
// The spec layers whose opaque fill would hide a basemap: drawn as outlines over it.
const LAND_LAYERS = new Set(['countries']);

// Vector tiles: colours by source-layer name (Protomaps and OpenMapTiles schemas);
// layers not listed are not drawn. [fill, line, line width px]
const VECTOR_STYLE = {
  earth: [[242, 239, 233, 255], null, 0],
  landcover: [[226, 236, 214, 255], null, 0],
  landuse: [[232, 236, 222, 255], null, 0],
  park: [[218, 234, 206, 255], null, 0],
  natural: [[222, 236, 210, 255], null, 0],
  water: [[170, 205, 228, 255], [150, 190, 220, 255], 1],
  waterway: [null, [150, 190, 220, 255], 1],
  boundaries: [null, [150, 140, 160, 255], 1],
  boundary: [null, [150, 140, 160, 255], 1],
  roads: [null, [255, 255, 255, 255], 1.2],
  transportation: [null, [255, 255, 255, 255], 1.2],
  buildings: [[222, 216, 208, 255], null, 0],
  building: [[222, 216, 208, 255], null, 0],
};

const stats = {requested: 0, loaded: 0, empty: 0, failed: 0};
let attributionEl = null;
let layer = null; // reused while the basemap is the same (the TileLayer keeps its tile cache)
let layerKey = null;

// The absolute template for `bm.url` (relative to the app's root).
function template(bm) {
  const root = new URL('../../', document.baseURI).href;
  return root + String(bm.url).replace(/^\/+/, '');
}

function tileUrl(t, index) {
  return t.replace('{z}', String(index.z)).replace('{x}', String(index.x)).replace('{y}', String(index.y));
}

async function rasterTile(url, signal) {
  stats.requested += 1;
  const res = await fetch(url, {signal, credentials: 'same-origin'});
  if (res.status === 204 || res.status === 404) { stats.empty += 1; return null; }
  if (!res.ok) throw new Error(`basemap tile ${res.status}`);
  const image = await createImageBitmap(await res.blob());
  stats.loaded += 1;
  return image;
}

function vectorStyle(f) {
  const name = f && f.properties ? f.properties.layerName : null;
  return VECTOR_STYLE[name] || null;
}

function makeLayer(bm) {
  const t = template(bm);
  const common = {
    id: BASEMAP_ID, minZoom: Number(bm.minZoom) || 0, maxZoom: Number.isFinite(bm.maxZoom) ? bm.maxZoom : 22,
    tileSize: Number(bm.tileSize) || 256, pickable: false, maxRequests: 6,
    extent: Array.isArray(bm.bounds) && bm.bounds.length === 4 ? bm.bounds : null,
    onTileError: () => { stats.failed += 1; },
  };
  if (bm.type === 'vector') {
    return new MVTLayer({
      ...common, data: t, binary: false, loaders: [MVTLoader], loadOptions: {worker: false},
      onTileLoad: () => { stats.loaded += 1; },
      filled: true, stroked: true, pointType: 'circle', getPointRadius: 0,
      lineWidthUnits: 'pixels',
      getFillColor: (f) => { const s = vectorStyle(f); return s && s[0] ? s[0] : [0, 0, 0, 0]; },
      getLineColor: (f) => { const s = vectorStyle(f); return s && s[1] ? s[1] : [0, 0, 0, 0]; },
      getLineWidth: (f) => { const s = vectorStyle(f); return s ? s[2] : 0; },
    });
  }
  return new TileLayer({
    ...common, data: t,
    getTileData: ({index, signal}) => rasterTile(tileUrl(t, index), signal),
    renderSubLayers: (props) => {
      const {west, south, east, north} = props.tile.bbox;
      return props.data ? new BitmapLayer(props, {data: null, image: props.data, bounds: [west, south, east, north]}) : null;
    },
  });
}

// The basemap's layers for `args` (none without `args.basemap`), first in the layer list.
export function basemapLayers(args, hidden) {
  const bm = args && args.basemap;
  showAttribution(bm);
  if (!bm || typeof bm.url !== 'string') { layer = null; layerKey = null; return []; }
  const key = JSON.stringify([bm.url, bm.type, bm.tileSize, bm.minZoom, bm.maxZoom, bm.bounds]);
  if (key !== layerKey) { layer = makeLayer(bm); layerKey = key; }
  return hidden && hidden.has(BASEMAP_ID) ? [] : [layer];
}

// A spec layer's props over a basemap: the land's opaque fill would hide it, so it
// keeps its outlines (and picking) with a transparent fill.
export function underBasemap(props, args) {
  if (!args || !args.basemap || !LAND_LAYERS.has(String(props.id)) || !Array.isArray(props.fill)) return props;
  return {...props, fill: [props.fill[0], props.fill[1], props.fill[2], 0]};
}

function showAttribution(bm) {
  const text = bm && typeof bm.attribution === 'string' ? bm.attribution : '';
  if (!attributionEl) {
    if (!text) return;
    attributionEl = document.createElement('div');
    attributionEl.className = 'basemap-attribution';
    Object.assign(attributionEl.style, {
      position: 'absolute', right: '10px', bottom: '40px', maxWidth: '60%', padding: '1px 6px',
      background: 'rgba(255, 255, 255, 0.8)', borderRadius: '4px', font: '10.5px/1.4 sans-serif',
      color: '#333', zIndex: '2', pointerEvents: 'none', whiteSpace: 'nowrap', overflow: 'hidden',
      textOverflow: 'ellipsis',
    });
    (document.getElementById('root') || document.body).appendChild(attributionEl);
  }
  attributionEl.textContent = text;
  attributionEl.hidden = !text;
}

// For tests: what the basemap asked for and got (`window.nfzMap.basemap()`).
export function basemapState(args) {
  const bm = args && args.basemap;
  return bm ? {url: template(bm), type: bm.type, attribution: bm.attribution, ...stats,
    attributionShown: attributionEl ? attributionEl.textContent : ''} : null;
}
