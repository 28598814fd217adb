/** Must be imported before n8n-core: n8n-core writes its instance settings under N8N_USER_FOLDER. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

if (!process.env.N8N_USER_FOLDER?.includes('pbxflow-n8n-')) {
  process.env.N8N_USER_FOLDER = mkdtempSync(join(tmpdir(), 'pbxflow-n8n-'));
}
