/**
 * The Teams app icons, drawn in code so they need no design tool and no download: a circular
 * "reconnect" arrow. `color.png` is 192×192, white glyph on the accent colour; `outline.png` is
 * 32×32, white glyph on transparent (Teams' rules for the two icons).
 *
 * Regenerate: node deploy/teams/icons.ts
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { encodePng } from './png.ts';

/** The manifest's accentColor; also the colour icon's background. */
export const ACCENT = '#0F6CBD';

const RING = { radius: 0.55, thickness: 0.17 };
/** The ring is open between these angles (degrees, counter-clockwise from +x); the arrow points into the gap. */
const GAP = { from: 340, to: 40 };
const ARROW = { halfWidth: 0.21, length: 0.3 };

type Point = [number, number];

function cross(o: Point, a: Point, b: Point): number {
  return (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0]);
}

function inTriangle(p: Point, a: Point, b: Point, c: Point): boolean {
  const d1 = cross(a, b, p);
  const d2 = cross(b, c, p);
  const d3 = cross(c, a, p);
  return !((d1 < 0 || d2 < 0 || d3 < 0) && (d1 > 0 || d2 > 0 || d3 > 0));
}

const end = (GAP.from * Math.PI) / 180;
const radial: Point = [Math.cos(end), Math.sin(end)];
const tangent: Point = [-Math.sin(end), Math.cos(end)];
const arrow: [Point, Point, Point] = [
  [radial[0] * (RING.radius - ARROW.halfWidth), radial[1] * (RING.radius - ARROW.halfWidth)],
  [radial[0] * (RING.radius + ARROW.halfWidth), radial[1] * (RING.radius + ARROW.halfWidth)],
  [radial[0] * RING.radius + tangent[0] * ARROW.length, radial[1] * RING.radius + tangent[1] * ARROW.length],
];

/** Whether the glyph covers point (x, y) in [-1, 1]² (y up). */
function glyph(x: number, y: number): boolean {
  const r = Math.hypot(x, y);
  const angle = ((Math.atan2(y, x) * 180) / Math.PI + 360) % 360;
  const onRing = Math.abs(r - RING.radius) <= RING.thickness / 2 && !(angle > GAP.from || angle < GAP.to);
  return onRing || inTriangle([x, y], ...arrow) || r <= 0.13;
}

/** Fraction of pixel (px, py) the shape covers, from 4×4 samples (anti-aliasing). */
function coverage(px: number, py: number, size: number, shape: (x: number, y: number) => boolean): number {
  let hits = 0;
  for (let sy = 0; sy < 4; sy++) {
    for (let sx = 0; sx < 4; sx++) {
      const x = ((px + (sx + 0.5) / 4) / size) * 2 - 1;
      const y = 1 - ((py + (sy + 0.5) / 4) / size) * 2;
      if (shape(x, y)) hits++;
    }
  }
  return hits / 16;
}

function hex(color: string): [number, number, number] {
  const n = Number.parseInt(color.slice(1), 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}

/** 192×192: a rounded square in the accent colour with the glyph in white at 70 % size. */
export function colorIcon(size = 192): Buffer {
  const [r, g, b] = hex(ACCENT);
  const corner = 0.36;
  const square = (x: number, y: number) => {
    const dx = Math.max(Math.abs(x) - (1 - corner), 0);
    const dy = Math.max(Math.abs(y) - (1 - corner), 0);
    return Math.hypot(dx, dy) <= corner;
  };
  const rgba = new Uint8Array(size * size * 4);
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      const bg = coverage(px, py, size, square);
      const fg = coverage(px, py, size, (x, y) => glyph(x / 0.7, y / 0.7));
      const i = (py * size + px) * 4;
      rgba[i] = Math.round(r + (255 - r) * fg);
      rgba[i + 1] = Math.round(g + (255 - g) * fg);
      rgba[i + 2] = Math.round(b + (255 - b) * fg);
      rgba[i + 3] = Math.round(255 * bg);
    }
  }
  return encodePng(size, size, rgba);
}

/** 32×32: the glyph in white on transparent, filling the frame. */
export function outlineIcon(size = 32): Buffer {
  const rgba = new Uint8Array(size * size * 4);
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      const i = (py * size + px) * 4;
      rgba.fill(255, i, i + 3);
      rgba[i + 3] = Math.round(255 * coverage(px, py, size, (x, y) => glyph(x / 0.95, y / 0.95)));
    }
  }
  return encodePng(size, size, rgba);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  writeFileSync(new URL('./color.png', import.meta.url), colorIcon());
  writeFileSync(new URL('./outline.png', import.meta.url), outlineIcon());
  process.stdout.write('wrote deploy/teams/color.png (192×192) and deploy/teams/outline.png (32×32)\n');
}
