/** Teams shows a card's own view (refresh) to at most 60 people. */
const MAX_REFRESH_USERS = 60;

/** The people whose clients refresh the card for themselves: those already listed, then those just reached. */
export function withRefreshUsers(listed: readonly string[], reached: readonly string[]): string[] {
  return [...new Set([...listed, ...reached])].slice(0, MAX_REFRESH_USERS);
}
