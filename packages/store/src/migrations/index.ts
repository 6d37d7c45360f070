import type { Migration, MigrationProvider } from 'kysely';
import * as m001 from './001-initial.js';
import * as m002 from './002-account-security.js';
import * as m003 from './003-sledai-attribution.js';
import * as m004 from './004-scale-indexes.js';
import * as m005 from './005-subject-lists.js';
import * as m006 from './006-definition-duplicate-visits.js';
import * as m007 from './007-definition-versions.js';
import * as m008 from './008-form-reviews.js';
import * as m009 from './009-signatures-and-locks.js';
import * as m010 from './010-serious-adverse-events.js';
import * as m011 from './011-randomisation.js';
import * as m012 from './012-edit-check-queries.js';
import * as m013 from './013-missing-data-codes.js';
import * as m015 from './015-export-jobs.js';
import * as m016 from './016-randomisation-corrections.js';
import * as m017 from './017-item-verification-and-lock-override.js';
import * as m023 from './023-attachments.js';
import * as m024 from './024-repeating-form-records.js';
import * as m025 from './025-form-attachments.js';

/** Migrations are compiled in, not read from disk, so the same list runs from source, tests and bundles. */
export const migrationProvider: MigrationProvider = {
  async getMigrations(): Promise<Record<string, Migration>> {
    return {
      '001-initial': m001,
      '002-account-security': m002,
      '003-sledai-attribution': m003,
      '004-scale-indexes': m004,
      '005-subject-lists': m005,
      '006-definition-duplicate-visits': m006,
      '007-definition-versions': m007,
      '008-form-reviews': m008,
      '009-signatures-and-locks': m009,
      '010-serious-adverse-events': m010,
      '011-randomisation': m011,
      '012-edit-check-queries': m012,
      '013-missing-data-codes': m013,
      '015-export-jobs': m015,
      '016-randomisation-corrections': m016,
      '017-item-verification-and-lock-override': m017,
      '023-attachments': m023,
      '024-repeating-form-records': m024,
      '025-form-attachments': m025,
    };
  },
};
