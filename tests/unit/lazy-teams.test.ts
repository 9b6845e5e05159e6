/**
 * The Teams outlet the delivery worker and the sweeper hold before botbuilder is loaded
 * (src/wiring/teams.ts) offers exactly the Outlet methods the real one has, so the worker
 * decides the same way (a platform without sendDocument, say) whether Teams is loaded or not.
 */
import { TeamsOutlet } from '../../src/channels/teams/outlet';
import type { Outlet } from '../../src/app/outlet';
import { teamsSide, type TeamsSideDeps } from '../../src/wiring/teams';

const OUTLET_METHODS: ReadonlyArray<keyof Outlet> = [
  'openThread',
  'updateThreads',
  'updateMessage',
  'retireMessage',
  'tell',
  'say',
  'sendDocument',
  'sendFile',
  'retryAfterMs',
  'conversationOf',
];

test('the lazy Teams outlet has the Outlet methods the real one has, and no others, without loading it', () => {
  const side = teamsSide({ config: {}, localClient: false } as unknown as TeamsSideDeps);
  const real = TeamsOutlet.prototype as unknown as Record<string, unknown>;
  const lazy = side.outlet as unknown as Record<string, unknown>;
  for (const method of OUTLET_METHODS)
    expect({ method, lazy: typeof lazy[method] }).toEqual({ method, lazy: typeof real[method] });
  expect(side.outlet.platform).toBe('teams');
  expect(side.loaded).toBe(false);
});
