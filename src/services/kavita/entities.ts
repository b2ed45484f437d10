import type { EntityDef } from '../../ha/entity.js';
import type { ServiceStates } from '../../mqtt/contract.js';
import { libraryEntities, type LibrariesState, type LibraryState } from '../library.js';

/** State object names under `<base>/<instance>/` (README, "Kavita"). */
export const KavitaState = {
  library: 'library',
  libraries: 'libraries',
} as const;

/** Everything a Kavita instance publishes under `<base>/<instance>/`. */
export type KavitaStates = ServiceStates & {
  library: LibraryState;
  libraries: LibrariesState;
};

/** The library sensors; Kavita counts volumes (a Kavita "book" is a file). */
export function kavitaEntities(): EntityDef<KavitaStates>[] {
  return libraryEntities({ name: 'Volumes', icon: 'mdi:book-multiple' });
}
