// OutlineLayer: lines as one indexed triangle mesh (4 vertices per segment), not
// instanced. Where WebGL runs on the CPU (SwiftShader), each instance of an instanced
// draw costs tens of microseconds, so deck's PathLayer/LineLayer spend seconds on
// country outlines; this costs a fill. Wide opaque lines add a round joint at every
// vertex (a quad whose fragments outside its disc are discarded), which is what
// PathLayer's round joints and caps draw there, without PathLayer's shaders (about half
// of the first WebGL frame's compiling, docs/map-protocol.md, "First paint"). A pickable
// mesh carries a picking colour per vertex, one per object (GeoTableLayer: a ring, as
// PathLayer picks a path), and clears and restores them itself for deck.gl's depth
// picking, which does so only in attributes deck.gl manages.
import {Layer, project32, picking} from '@deck.gl/core';
import {Model, Geometry} from '@luma.gl/engine';
const uniformBlock = `\
layout(std140) uniform outlineUniforms {
  float widthPx;
} outline;
`;
const outlineUniforms = {name: 'outline', vs: uniformBlock, fs: uniformBlock, uniformTypes: {widthPx: 'f32'}};

const vs = `\
#version 300 es
#define SHADER_NAME outline-layer-vertex-shader
in vec2 positions;
in vec2 nextPositions;
in vec2 corners;
in vec4 colors;
in vec4 pickingColors;
in float isJoint;
out vec4 vColor;
out vec2 vDisc;
out float vJoint;
void main(void) {
  vec3 a = vec3(positions, 0.0);
  vec3 b = vec3(nextPositions, 0.0);
  geometry.worldPosition = a;
  geometry.worldPositionAlt = b;
  geometry.pickingColor = pickingColors.rgb;
  vec4 ca = project_position_to_clipspace(a, vec3(0.0), vec3(0.0));
  vec4 cb = project_position_to_clipspace(b, vec3(0.0), vec3(0.0));
  vec2 offset;
  vec4 p;
  if (isJoint > 0.5) { // a joint: a square of the line's width around the vertex a
    p = ca;
    offset = corners * outline.widthPx * 0.5;
  } else { // a segment: corners.x 0 at a, 1 at b; corners.y the side
    p = mix(ca, cb, corners.x);
    vec2 dir = (cb.xy - ca.xy) * project.viewportSize;
    float len = length(dir);
    vec2 normal = len > 0.0 ? vec2(-dir.y, dir.x) / len : vec2(0.0);
    offset = normal * corners.y * outline.widthPx * 0.5;
  }
  gl_Position = p + vec4(project_pixel_size_to_clipspace(offset), 0.0, 0.0);
  vDisc = corners;
  vJoint = isJoint;
  vColor = vec4(colors.rgb, colors.a * layer.opacity);
  DECKGL_FILTER_COLOR(vColor, geometry);
}
`;

const fs = `\
#version 300 es
#define SHADER_NAME outline-layer-fragment-shader
precision highp float;
in vec4 vColor;
in vec2 vDisc;
in float vJoint;
out vec4 fragColor;
void main(void) {
  if (vJoint > 0.5 && dot(vDisc, vDisc) > 1.0) discard; // outside the joint's disc
  fragColor = vColor;
  DECKGL_FILTER_COLOR(fragColor, geometry);
}
`;

// deck.gl's picking colour of object i (Layer.encodePickingColor: i + 1 as r + 256 g + 65536 b).
function pickingColor(i, out, o) {
  out[o] = (i + 1) & 255; out[o + 1] = ((i + 1) >> 8) & 255; out[o + 2] = ((i + 1) >> 16) & 255;
}

/**
 * Build the mesh for segments given as flat XY start/end arrays and RGBA colours (Uint8,
 * 4 per segment). With `joints` (flat XY vertices, and for each the index of a segment it
 * ends or starts, for its colour), a disc of the line's width at each. With `objects`
 * (each segment's object index), every vertex gets its object's picking colour.
 */
export function outlineMesh(src, dst, segColors, joints = null, objects = null) {
  const n = src.length / 2;
  const m = joints ? joints.xy.length / 2 : 0;
  const quads = n + m;
  const positions = new Float32Array(quads * 8); const nextPositions = new Float32Array(quads * 8);
  const corners = new Float32Array(quads * 8); const colors = new Uint8Array(quads * 16);
  const pickingColors = objects ? new Uint8Array(quads * 16) : null; // uint8x4 a vertex, the 4th unused
  const kinds = new Float32Array(quads * 4);
  const indices = new Uint32Array(quads * 6);
  const SEGMENT = [0, -1, 0, 1, 1, -1, 1, 1];
  const DISC = [-1, -1, -1, 1, 1, -1, 1, 1];
  for (let q = 0; q < quads; q++) {
    const joint = q >= n;
    const k = joint ? joints.segment[q - n] : q; // the segment whose colour it takes
    const ax = joint ? joints.xy[2 * (q - n)] : src[2 * q]; const ay = joint ? joints.xy[2 * (q - n) + 1] : src[2 * q + 1];
    const bx = joint ? ax : dst[2 * q]; const by = joint ? ay : dst[2 * q + 1];
    const shape = joint ? DISC : SEGMENT;
    for (let v = 0; v < 4; v++) {
      const o = 8 * q + 2 * v; const c = 16 * q + 4 * v;
      positions[o] = ax; positions[o + 1] = ay;
      nextPositions[o] = bx; nextPositions[o + 1] = by;
      corners[o] = shape[2 * v]; corners[o + 1] = shape[2 * v + 1];
      colors[c] = segColors[4 * k]; colors[c + 1] = segColors[4 * k + 1];
      colors[c + 2] = segColors[4 * k + 2]; colors[c + 3] = segColors[4 * k + 3];
      if (pickingColors) pickingColor(objects[k], pickingColors, c);
      kinds[4 * q + v] = joint ? 1 : 0;
    }
    const b = 4 * q; const i = 6 * q;
    indices[i] = b; indices[i + 1] = b + 1; indices[i + 2] = b + 2;
    indices[i + 3] = b + 1; indices[i + 4] = b + 3; indices[i + 5] = b + 2;
  }
  return {positions, nextPositions, corners, colors, pickingColors, isJoint: kinds, indices, vertexCount: quads * 6,
    segments: n, rounded: Boolean(joints)};
}

export default class OutlineLayer extends Layer {
  getShaders() {
    return super.getShaders({vs, fs, modules: [project32, picking, outlineUniforms]});
  }

  initializeState() {
    this.state = {model: null, picking: null, cleared: null};
  }

  updateState({props, oldProps}) {
    if (props.mesh !== oldProps.mesh || !this.state.model) {
      this._destroy();
      const picking = props.mesh && props.mesh.pickingColors && props.mesh.vertexCount
        ? this.context.device.createBuffer({data: props.mesh.pickingColors}) : null;
      this.setState({picking, cleared: null, model: this._getModel(props.mesh, picking)});
    }
  }

  finalizeState(context) {
    super.finalizeState(context);
    this._destroy();
  }

  _destroy() {
    if (this.state.model) this.state.model.destroy();
    if (this.state.picking) this.state.picking.destroy();
  }

  // deck.gl's depth picking: hide object i from the next picking pass, then show all again.
  disablePickingIndex(objectIndex) {
    const {picking} = this.state;
    if (!picking) return;
    const cleared = this.state.cleared || this.props.mesh.pickingColors.slice();
    const [r, g, b] = this.encodePickingColor(objectIndex);
    for (let v = 0; v < cleared.length; v += 4) {
      if (cleared[v] === r && cleared[v + 1] === g && cleared[v + 2] === b) cleared[v] = cleared[v + 1] = cleared[v + 2] = 0;
    }
    this.state.cleared = cleared;
    picking.write(cleared);
  }

  restorePickingColors() {
    if (!this.state.picking || !this.state.cleared) return;
    this.state.cleared = null;
    this.state.picking.write(this.props.mesh.pickingColors);
  }

  _getModel(mesh, picking) {
    if (!mesh || !mesh.vertexCount) return null;
    return new Model(this.context.device, {
      ...this.getShaders(),
      id: this.props.id,
      ...(picking
        ? {bufferLayout: [{name: 'pickingColors', format: 'uint8x4'}], attributes: {pickingColors: picking}}
        : {constantAttributes: {pickingColors: new Float32Array(4)}}),
      geometry: new Geometry({
        topology: 'triangle-list',
        attributes: {
          positions: {size: 2, value: mesh.positions},
          nextPositions: {size: 2, value: mesh.nextPositions},
          corners: {size: 2, value: mesh.corners},
          colors: {size: 4, value: mesh.colors, normalized: true},
          isJoint: {size: 1, value: mesh.isJoint},
        },
        indices: mesh.indices,
      }),
    });
  }

  draw() {
    const model = this.state.model;
    if (!model) return;
    model.shaderInputs.setProps({outline: {widthPx: this.props.widthPx}});
    model.draw(this.context.renderPass);
  }
}

OutlineLayer.layerName = 'OutlineLayer';
OutlineLayer.defaultProps = {
  mesh: {type: 'object', value: null, compare: false},
  widthPx: 1,
  pickable: false,
};
