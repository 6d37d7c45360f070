import { fileURLToPath } from 'node:url';
import { buildApp, configFromEnv, softwareIdentity } from '@msct/server';
import { type DatabaseLock, listStudies, lockDatabase, openDatabase } from '@msct/store';
import { bootstrap, dataDirFor } from '../bootstrap.js';
import { replaceFormerDemoPasswords } from '../demo/former-demo-logins.js';
import { loadDemoTrial } from '../demo/load-demo.js';
import { formatDemoReport } from './demo.js';

type Config = ReturnType<typeof configFromEnv> & { webRoot: string };

const WEB_ROOT = fileURLToPath(new URL('../../../web/dist', import.meta.url));

export async function startCommand(opts: { port?: string; host?: string }): Promise<void> {
  const config = { ...configFromEnv(), webRoot: WEB_ROOT };
  if (opts.port) config.port = Number(opts.port);
  if (opts.host) config.host = opts.host;
  // Held for the server's lifetime: `msct restore` refuses while it is held (issue 17), so a restore
  // can never replace the database under a server that goes on acknowledging writes.
  const lock = await lockDatabase(config.databaseUrl, 'server', {
    // PostgreSQL: the lock's session ended and a restore holds the database now: stop serving it.
    onLost: (why) => {
      console.error(`msct: lost the database lock (${why.message}); stopping`);
      process.kill(process.pid, 'SIGTERM');
    },
  });
  try {
    await serve(config, lock);
  } catch (e) {
    // A start that fails lets go of the database (on PostgreSQL the lock's connection would keep
    // the process alive).
    await lock.release();
    throw e;
  }
}

async function serve(config: Config, lock: DatabaseLock): Promise<void> {
  // The build's identity (version, commit, content hash of the sources) is read once, here, rather
  // than synchronously inside the first analysis request (it reads every source file and runs git).
  softwareIdentity();
  const db = openDatabase(config.databaseUrl, { backgroundCheckpoints: true });
  const dataDir = dataDirFor(db.location, db.dialect);
  const boot = await bootstrap(db, process.env, dataDir);
  config.dataDir ??= dataDir;
  console.log(
    `msct: database ${db.dialect} at ${db.location}${boot.migrationsApplied.length ? ` (migrated: ${boot.migrationsApplied.join(', ')})` : ''}`,
  );
  if (boot.admin) {
    console.log(
      boot.admin.passwordFile
        ? `msct: created user "${boot.admin.username}"; its initial password is in ${boot.admin.passwordFile} (readable only by you); the first login asks for a new one.`
        : `msct: created user "${boot.admin.username}" with the password from the environment; the first login asks for a new one.`,
    );
  }
  // A demo loaded before issue 17 had seed-derived (public) passwords: replace any still in use.
  const replaced = await replaceFormerDemoPasswords(db);
  if (replaced.length > 0) {
    const width = Math.max(...replaced.map((r) => r.username.length));
    console.log(
      [
        `msct: ${replaced.length} demo accounts still had passwords derived from the public seed; their new random passwords (shown only now; each must be changed at the first login):`,
        ...replaced.map((r) => `  ${r.username.padEnd(width)}  ${r.password}`),
      ].join('\n'),
    );
  }
  // The first start on an empty database opens onto the published trial (issue 8); MSCT_DEMO=0 starts empty.
  if (process.env.MSCT_DEMO !== '0' && (await listStudies(db)).length === 0) {
    console.log(formatDemoReport(await loadDemoTrial(db, {}), db.location));
  }
  const app = await buildApp({ db, config, logger: process.env.MSCT_LOG === '1' });
  const close = async () => {
    await app.close();
    await db.close();
    await lock.release();
    process.exit(0);
  };
  process.once('SIGINT', close);
  process.once('SIGTERM', close);
  await app.listen({ host: config.host, port: config.port });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  console.log(`msct: serving the API and web app on http://${config.host}:${port}`);
}
