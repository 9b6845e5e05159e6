/** Which board's procedure a member of staff raises under: their agency's boards, the one they chose if it is theirs. */
import type { Directory, Person } from '../domain/directory';
import type { Procedure } from '../domain/procedure';

export const NO_BOARD = 'Your agency is not set up under any board yet. Ask the board’s business unit.';

/** The procedure of the board asked for if it is one of the person's agency's, else of its first board. */
export function boardOf(
  directory: Directory,
  procedures: ReadonlyMap<string, Procedure>,
  person: Person,
  requested?: string,
): Procedure | undefined {
  const boards = directory.agencies.find((a) => a.id === person.agency)?.boards ?? [];
  const id = requested && boards.includes(requested) ? requested : boards[0];
  return id ? procedures.get(id) : undefined;
}
