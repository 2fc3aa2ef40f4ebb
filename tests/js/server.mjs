// Shared by the *.test.mjs files: starts the real `streamer serve` (STREAMER_BIN) on free
// ports with a temp data dir, and stops it (exit code 0 expected after SIGTERM).
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

export const BIN = process.env.STREAMER_BIN
  || new URL('../../build/release/streamer', import.meta.url).pathname;

// Any credentials work against streamer; fixed ones keep the SDK off the user's config.
export const CREDENTIALS = { accessKeyId: 'AKIDSTREAMERTEST', secretAccessKey: 'streamer-test-secret' };

export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

async function waitHealthy(url, proc, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (proc.exitCode !== null) throw new Error(`streamer exited with ${proc.exitCode}`);
    try {
      const res = await fetch(`${url}/health`);
      if (res.status === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error('streamer not healthy in time');
}

// start() -> { endpoint, clientConfig, stop() }; stop() resolves to the exit code and the
// server's stderr, and removes the data directory.
export async function startStreamer({ timeoutMs = 30000 } = {}) {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'streamer-js-'));
  const port = await freePort();
  const gatewayPort = await freePort();
  const proc = spawn(BIN, ['serve', '--data', dataDir, '--port', String(port),
    '--gateway-port', String(gatewayPort)], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  proc.stderr.on('data', (d) => { stderr += d; });
  // If the test process ends without stop() (a crash, a failed hook), take the server along.
  const reap = () => { if (proc.exitCode === null) proc.kill('SIGKILL'); };
  process.once('exit', reap);
  const endpoint = `http://127.0.0.1:${port}`;
  const stop = async () => {
    process.removeListener('exit', reap);
    let code = proc.exitCode;
    if (code === null) {
      const exited = new Promise((resolve) => proc.once('exit', resolve));
      proc.kill('SIGTERM');
      code = await exited;
    }
    rmSync(dataDir, { recursive: true, force: true });
    return { code, stderr };
  };
  try {
    await waitHealthy(endpoint, proc, timeoutMs);
  } catch (err) {
    await stop();
    throw err;
  }
  return {
    endpoint,
    clientConfig: { endpoint, region: 'us-east-1', credentials: CREDENTIALS, maxAttempts: 1 },
    stop,
  };
}
