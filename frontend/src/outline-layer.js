// OutlineLayer: thin lines as one indexed triangle mesh (4 vertices per
// segment), not instanced. Where WebGL runs on the CPU (SwiftShader), each
// instance of an instanced draw costs tens of microseconds, so deck's
// PathLayer/LineLayer spend seconds on country outlines; this costs a fill.
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
out vec4 vColor;
void main(void) {
  vec3 a = vec3(positions, 0.0);
  vec3 b = vec3(nextPositions, 0.0);
  geometry.worldPosition = a;
  geometry.worldPositionAlt = b;
  vec4 ca = project_position_to_clipspace(a, vec3(0.0), vec3(0.0));
  vec4 cb = project_position_to_clipspace(b, vec3(0.0), vec3(0.0));
  vec4 p = mix(ca, cb, corners.x);
  vec2 dir = (cb.xy - ca.xy) * project.viewportSize;
  float len = length(dir);
  vec2 normal = len > 0.0 ? vec2(-dir.y, dir.x) / len : vec2(0.0);
  vec2 offset = normal * corners.y * outline.widthPx * 0.5;
  gl_Position = p + vec4(project_pixel_size_to_clipspace(offset), 0.0, 0.0);
  vColor = vec4(colors.rgb, colors.a * layer.opacity);
  DECKGL_FILTER_COLOR(vColor, geometry);
}
`;

const fs = `\
#version 300 es
#define SHADER_NAME outline-layer-fragment-shader
precision highp float;
in vec4 vColor;
out vec4 fragColor;
void main(void) {
  fragColor = vColor;
  DECKGL_FILTER_COLOR(fragColor, geometry);
}
`;

/** Build the mesh for segments given as flat XY start/end arrays and RGBA colours (Uint8, 4 per segment). */
export function outlineMesh(src, dst, segColors) {
  const n = src.length / 2;
  const positions = new Float32Array(n * 8); const nextPositions = new Float32Array(n * 8);
  const corners = new Float32Array(n * 8); const colors = new Uint8Array(n * 16);
  const indices = new Uint32Array(n * 6);
  const CORNERS = [0, -1, 0, 1, 1, -1, 1, 1];
  for (let k = 0; k < n; k++) {
    for (let v = 0; v < 4; v++) {
      const o = 8 * k + 2 * v;
      positions[o] = src[2 * k]; positions[o + 1] = src[2 * k + 1];
      nextPositions[o] = dst[2 * k]; nextPositions[o + 1] = dst[2 * k + 1];
      corners[o] = CORNERS[2 * v]; corners[o + 1] = CORNERS[2 * v + 1];
      colors.set(segColors.subarray(4 * k, 4 * k + 4), 16 * k + 4 * v);
    }
    const b = 4 * k;
    indices.set([b, b + 1, b + 2, b + 1, b + 3, b + 2], 6 * k);
  }
  return {positions, nextPositions, corners, colors, indices, vertexCount: n * 6};
}

export default class OutlineLayer extends Layer {
  getShaders() {
    return super.getShaders({vs, fs, modules: [project32, picking, outlineUniforms]});
  }

  initializeState() {
    this.state = {model: null};
  }

  updateState({props, oldProps}) {
    if (props.mesh !== oldProps.mesh || !this.state.model) {
      if (this.state.model) this.state.model.destroy();
      this.setState({model: this._getModel(props.mesh)});
    }
  }

  finalizeState(context) {
    super.finalizeState(context);
    if (this.state.model) this.state.model.destroy();
  }

  _getModel(mesh) {
    if (!mesh || !mesh.vertexCount) return null;
    return new Model(this.context.device, {
      ...this.getShaders(),
      id: this.props.id,
      geometry: new Geometry({
        topology: 'triangle-list',
        attributes: {
          positions: {size: 2, value: mesh.positions},
          nextPositions: {size: 2, value: mesh.nextPositions},
          corners: {size: 2, value: mesh.corners},
          colors: {size: 4, value: mesh.colors, normalized: true},
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
