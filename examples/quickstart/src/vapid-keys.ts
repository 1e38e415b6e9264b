/**
 * The quickstart's VAPID keys (`--webpush`): made on the first run into the data
 * directory (`vapid.json`, readable by its owner only) and reused on every later run,
 * since browsers' push subscriptions are bound to the public key — new keys would orphan
 * every subscription made before.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { generateVapidKeys } from '@herald/transport-webpush';

/** A VAPID key pair, base64url. */
export interface VapidKeys {
  readonly publicKey: string;
  readonly privateKey: string;
}

/** The keys in `directory`'s `vapid.json`, made and saved there first if it has none. */
export async function loadOrCreateVapidKeys(directory: string): Promise<VapidKeys> {
  const path = join(directory, 'vapid.json');
  try {
    const saved = JSON.parse(await readFile(path, 'utf8')) as Partial<VapidKeys>;
    if (typeof saved.publicKey !== 'string' || typeof saved.privateKey !== 'string') throw new Error(`${path} has no publicKey and privateKey`);
    return { publicKey: saved.publicKey, privateKey: saved.privateKey };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw new Error(`[herald] [quickstart] cannot read the VAPID keys in ${path}: ${(error as Error).message}; fix or remove the file (a new pair orphans the browsers' subscriptions)`, { cause: error });
  }
  const keys = generateVapidKeys();
  await mkdir(directory, { recursive: true });
  // `wx`: a second server starting at the same moment must not overwrite the first one's pair.
  try {
    await writeFile(path, `${JSON.stringify({ publicKey: keys.publicKey, privateKey: keys.privateKey }, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return loadOrCreateVapidKeys(directory);
    throw error;
  }
  return keys;
}
