/** Who a Teams user is in the directory, from their Microsoft Entra object id. */
import type { Directory, Person } from '../../domain/directory';

export { actorFor, NOT_IN_DIRECTORY } from '../../app/people';

export function personByAadId(directory: Directory, aadObjectId: string | undefined): Person | undefined {
  if (!aadObjectId) return undefined;
  const id = aadObjectId.toLowerCase();
  return directory.people.find((p) => p.teamsAadObjectId?.toLowerCase() === id);
}
