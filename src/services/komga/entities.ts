import type { EntityDef } from '../../ha/entity.js';
import type { ServiceStates } from '../../mqtt/contract.js';
import { libraryEntities, type LibrariesState, type LibraryState } from '../library.js';

/** State object names under `<base>/<instance>/` (README, "Komga"). */
export const KomgaState = {
  library: 'library',
  libraries: 'libraries',
} as const;

/** Everything a Komga instance publishes under `<base>/<instance>/`. */
export type KomgaStates = ServiceStates & {
  library: LibraryState;
  libraries: LibrariesState;
};

/**
 * The library sensors. No expire_after: the store publishes only changes, so an unchanged count is
 * not re-sent; availability covers a Komga that stopped answering.
 */
export function komgaEntities(): EntityDef<KomgaStates>[] {
  return libraryEntities({ name: 'Books', icon: 'mdi:book-open-variant' });
}
