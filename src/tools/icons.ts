/** Draws the Teams app icons (npm run icons): a white shield on the accent colour, and its outline. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { png } from './png';

const TEAMS = join(__dirname, '..', '..', 'manifests', 'teams');
// Colour icon: 192×192, teal with a white shield; outline icon: 32×32, white shield on transparent.
const shield = (x: number, y: number, size: number): boolean => {
  const u = x / size - 0.5,
    v = y / size;
  if (v < 0.2 || v > 0.85) return false;
  const half = v < 0.55 ? 0.3 : 0.3 * (1 - (v - 0.55) / 0.3);
  return Math.abs(u) <= half;
};
writeFileSync(
  join(TEAMS, 'color.png'),
  png(192, 192, (x, y) => (shield(x, y, 192) ? [255, 255, 255, 255] : [15, 110, 110, 255])),
);
writeFileSync(
  join(TEAMS, 'outline.png'),
  png(32, 32, (x, y) => (shield(x, y, 32) ? [255, 255, 255, 255] : [0, 0, 0, 0])),
);
