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

/** The procedures of every board the person's agency works under, in the directory's order. */
export function boardsOf(
  directory: Directory,
  procedures: ReadonlyMap<string, Procedure>,
  person: Person,
): Procedure[] {
  const boards = directory.agencies.find((a) => a.id === person.agency)?.boards ?? [];
  return boards.map((id) => procedures.get(id)).filter((p): p is Procedure => p !== undefined);
}

/** The words for the board to choose, where a person's agency works under more than one. */
export const WHICH_BOARD = {
  label: 'Which Safeguarding Adults Board is this disagreement for?',
  hint: 'Your agency works under more than one board. Choose the board for the area where the adult lives: its own question about immediate risk, and its procedure, come next.',
  problem: 'Please choose a board from the list.',
} as const;
