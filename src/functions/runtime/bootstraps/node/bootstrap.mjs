// Our runtime for Lambda's nodejs*: runs a Lambda handler unchanged.
//
// A client of the Lambda Runtime API (AWS_LAMBDA_RUNTIME_API=host:port) with
// one keep-alive connection. It loads the handler once ("path/file.export",
// nested exports "file.a.b"; CommonJS or ES module as Node decides: .mjs, .cjs,
// .js under a package.json with "type": "module"), then loops: GET the next
// invocation, call handler(event, context, callback), POST the result or
// Lambda's error document. Async handlers, callback handlers,
// context.succeed/fail/done and callbackWaitsForEmptyEventLoop behave as in
// Lambda's Node.js runtime; names, messages and shapes follow it too.
// Node built-ins only. Started with --spare, it first waits for its function
// (takeAssignment).

import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import util from 'node:util';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';

const require = createRequire(import.meta.url);
const API = '/2018-06-01/runtime';

// --- errors the runtime reports as Runtime.* --------------------------------

function runtimeErrorClass(kind) {
  const cls = class extends Error {};
  cls.prototype.name = `Runtime.${kind}`;
  return cls;
}
const ImportModuleError = runtimeErrorClass('ImportModuleError');
const HandlerNotFound = runtimeErrorClass('HandlerNotFound');
const MalformedHandlerName = runtimeErrorClass('MalformedHandlerName');
const UserCodeSyntaxError = runtimeErrorClass('UserCodeSyntaxError');
const NodeJsExit = runtimeErrorClass('NodeJsExit');
class UnhandledPromiseRejection extends Error {
  constructor(reason, promise) {
    super(reason);
    this.reason = reason;
    this.promise = promise;
  }
}
UnhandledPromiseRejection.prototype.name = 'Runtime.UnhandledPromiseRejection';

function looksLikeError(value) {
  return value && typeof value.name === 'string' && typeof value.message === 'string' &&
    typeof value.stack === 'string';
}

// Lambda's error document for Node.js: {errorType, errorMessage, trace}.
function errorDocument(error) {
  try {
    if (util.types.isNativeError(error) || looksLikeError(error)) {
      return { errorType: error.name, errorMessage: error.message, trace: String(error.stack).split('\n') };
    }
    return { errorType: typeof error, errorMessage: String(error), trace: [] };
  } catch {
    return {
      errorType: 'handled',
      errorMessage: 'callback called with Error argument, but there was a problem while retrieving ' +
        'one or more of its message, name, and stack',
    };
  }
}

// How Lambda writes an error into the log: a tab, then the error as JSON with
// its name, message, code and stack lines besides its own properties.
function formatForLog(error) {
  const withProperties = (_key, value) => {
    if (!(value instanceof Error)) return value;
    const out = Object.assign({ errorType: value.name, errorMessage: value.message, code: value.code }, value);
    if (typeof value.stack === 'string') out.stack = value.stack.split('\n');
    return out;
  };
  try {
    return '\t' + JSON.stringify(error, withProperties);
  } catch {
    return '\t' + JSON.stringify(errorDocument(error));
  }
}

function logError(what, error) {
  console.error(what, formatForLog(error instanceof Error ? error : new Error(error)));
}

// --- console in Lambda's format: "<time>\t<request id>\t<LEVEL>\t<message>" --

let currentRequestId; // undefined until the first invocation, printed as such

function patchConsole() {
  const levels = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'FATAL'];
  const wanted = (process.env.AWS_LAMBDA_LOG_LEVEL || '').toUpperCase();
  const lowest = Math.max(0, levels.indexOf(wanted));
  const writer = (level) => (message, ...params) => {
    const line = `${new Date().toISOString()}\t${currentRequestId}\t${level}\t${util.format(message, ...params)}`;
    process.stdout.write(line + '\n');
  };
  const method = (level) => (levels.indexOf(level) >= lowest ? writer(level) : () => {});
  console.trace = method('TRACE');
  console.debug = method('DEBUG');
  console.info = method('INFO');
  console.log = console.info;
  console.warn = method('WARN');
  console.error = method('ERROR');
  console.fatal = writer('FATAL');
}

// --- the Runtime API client ----------------------------------------------------

// HTTP/1.1 by hand over one kept-alive connection: node's http client costs
// a cold start its loading and the first invocations its compilation.

// One response, parsed as its bytes arrive (the head once, the body when whole).
class ResponseReader {
  constructor() {
    this.chunks = [];
    this.length = 0;
    this.head = null;
  }

  flatten() {
    if (this.chunks.length > 1) this.chunks = [Buffer.concat(this.chunks, this.length)];
    return this.chunks[0] || Buffer.alloc(0);
  }

  // The response once complete, else null; throws on a malformed one or,
  // with `ended`, on one the connection cut short.
  add(chunk, ended = false) {
    if (chunk) {
      this.chunks.push(chunk);
      this.length += chunk.length;
    }
    const cut = (what) => {
      if (ended) throw new Error(`connection closed in the ${what}`);
      return null;
    };
    if (!this.head) {
      const data = this.flatten();
      const end = data.indexOf('\r\n\r\n');
      if (end < 0) {
        if (this.length > 1 << 20) badResponse('headers too long');
        return cut('headers');
      }
      this.head = parseHead(data.toString('latin1', 0, end));
      this.head.start = end + 4;
    }
    const { status, headers, start } = this.head;
    let close = (headers.connection || '').toLowerCase() === 'close';
    let body;
    if ((headers['transfer-encoding'] || '').toLowerCase().includes('chunked')) {
      body = dechunk(this.flatten(), start);
      if (!body) return cut('body');
    } else if (headers['content-length'] !== undefined) {
      const size = Number(headers['content-length']);
      if (!Number.isSafeInteger(size) || size < 0) badResponse('bad content-length');
      if (this.length < start + size) return cut('body');
      body = this.flatten().subarray(start, start + size);
    } else {
      if (!ended) return null;  // the body ends with the connection
      body = this.flatten().subarray(start);
      close = true;
    }
    return { status, headers, body: body.toString('utf8'), close };
  }
}

function badResponse(what) {
  throw new Error(`bad response from the runtime API: ${what}`);
}

function parseHead(text) {
  const lines = text.split('\r\n');
  const match = /^HTTP\/1\.[01] (\d{3})/.exec(lines[0]);
  if (!match) badResponse(`status line ${JSON.stringify(lines[0].slice(0, 100))}`);
  const headers = {};
  for (let i = 1; i < lines.length; i++) {
    const colon = lines[i].indexOf(':');
    if (colon <= 0) continue;
    const name = lines[i].slice(0, colon).trim().toLowerCase();
    const value = lines[i].slice(colon + 1).trim();
    headers[name] = name in headers ? `${headers[name]}, ${value}` : value;
  }
  return { status: Number(match[1]), headers };
}

// A chunked body from `pos` on; null while incomplete.
function dechunk(data, pos) {
  const parts = [];
  for (;;) {
    const lineEnd = data.indexOf('\r\n', pos);
    if (lineEnd < 0) return null;
    const size = parseInt(data.toString('latin1', pos, lineEnd), 16);
    if (Number.isNaN(size)) badResponse('bad chunk size');
    pos = lineEnd + 2;
    if (size === 0) {
      // Trailers (ignored) up to an empty line.
      for (;;) {
        const end = data.indexOf('\r\n', pos);
        if (end < 0) return null;
        if (end === pos) return Buffer.concat(parts);
        pos = end + 2;
      }
    }
    if (data.length < pos + size + 2) return null;
    parts.push(data.subarray(pos, pos + size));
    pos += size + 2;
  }
}

class RuntimeApi {
  constructor(address) {
    const colon = address.lastIndexOf(':');
    this.host = address.slice(0, colon).replace(/^\[|\]$/g, '') || '127.0.0.1';
    this.port = Number(address.slice(colon + 1));
    this.socket = null;
    this.queue = Promise.resolve();  // one request at a time, in order
  }

  request(method, urlPath, body, headers) {
    const run = () => this.exchange(method, urlPath, body, headers, false);
    const result = this.queue.then(run, run);
    this.queue = result.catch(() => {});
    return result;
  }

  connect() {
    const socket = net.connect({ host: this.host, port: this.port });
    socket.setNoDelay(true);
    socket.on('error', () => {});  // each request listens for its own
    socket.on('close', () => {
      if (this.socket === socket) this.socket = null;
    });
    this.socket = socket;
  }

  exchange(method, urlPath, body, headers, retried) {
    return new Promise((resolve, reject) => {
      const fresh = !this.socket;
      if (fresh) this.connect();
      const socket = this.socket;
      const reader = new ResponseReader();
      let received = false;
      let settled = false;
      const finish = (error, response) => {
        if (settled) return;
        settled = true;
        socket.off('data', onData);
        socket.off('error', onError);
        socket.off('close', onClose);
        if (error || response.close) {
          if (this.socket === socket) this.socket = null;
          socket.destroy();
        } else {
          // An idle connection does not hold the event loop open, so "the
          // loop is empty" still means the handler's own work is done.
          socket.unref();
        }
        if (!error) {
          resolve(response);
        } else if (!fresh && !received && !retried) {
          // A kept-alive connection the server closed meanwhile: one fresh try.
          this.exchange(method, urlPath, body, headers, true).then(resolve, reject);
        } else {
          reject(error);
        }
      };
      const parse = (chunk, ended) => {
        let response;
        try {
          response = reader.add(chunk, ended);
        } catch (error) {
          finish(error);
          return;
        }
        if (response) finish(null, response);
      };
      const onData = (chunk) => {
        received = true;
        parse(chunk, false);
      };
      const onError = (error) => finish(error);
      const onClose = () => {
        if (received) parse(null, true);
        const error = new Error('socket hang up');
        error.code = 'ECONNRESET';
        finish(error);
      };
      socket.on('data', onData);
      socket.on('error', onError);
      socket.on('close', onClose);
      socket.ref();
      let head = `${method} ${urlPath} HTTP/1.1\r\nHost: ${this.host}:${this.port}\r\n`;
      const payload = body === undefined ? undefined : Buffer.from(body, 'utf8');
      if (payload) head += `Content-Length: ${payload.length}\r\n`;
      for (const [name, value] of Object.entries(headers || {})) head += `${name}: ${value}\r\n`;
      head += '\r\n';
      socket.write(payload ? Buffer.concat([Buffer.from(head, 'latin1'), payload]) : head);
    });
  }
}

let api;  // once the address is known
const apiRequest = (method, urlPath, body, headers) => api.request(method, urlPath, body, headers);

function apiGone(error) {
  process.stderr.write(`bootstrap: runtime API unavailable: ${error && error.message}\n`);
  process.exit(1);
}

function serialize(result) {
  return JSON.stringify(result === undefined ? null : result);
}

function postResponse(requestId, result, then) {
  let body;
  try {
    body = serialize(result);
  } catch {
    postError(requestId, new Error('Unable to stringify response body'), then);
    return;
  }
  apiRequest('POST', `${API}/invocation/${encodeURIComponent(requestId)}/response`, body,
    { 'Content-Type': 'application/json' }).then(then, apiGone);
}

function postErrorTo(urlPath, error, then) {
  const document = errorDocument(error);
  let body;
  try {
    body = JSON.stringify(document);
  } catch {
    body = JSON.stringify({ errorType: String(document.errorType), errorMessage: String(document.errorMessage), trace: [] });
  }
  apiRequest('POST', urlPath, body, {
    'Content-Type': 'application/json',
    'Lambda-Runtime-Function-Error-Type': String(document.errorType ?? '').replace(/[^\x20-\x7e]/g, ''),
  }).then(then, apiGone);
}

function postError(requestId, error, then) {
  postErrorTo(`${API}/invocation/${encodeURIComponent(requestId)}/error`, error, then);
}

function postInitError(error, then) {
  postErrorTo(`${API}/init/error`, error, then);
}

// --- "when the event loop is empty" ------------------------------------------

let onEmptyLoop = null;
process.on('beforeExit', () => {
  const action = onEmptyLoop;
  onEmptyLoop = null;
  if (action) action();
});

// --- loading the handler -----------------------------------------------------

function typeModuleFolder(folder) {
  // The nearest package.json decides; a node_modules folder or the root ends the walk.
  if (folder.endsWith('/node_modules')) return false;
  const packageJson = path.join(folder, 'package.json');
  if (fs.existsSync(packageJson)) {
    try {
      return JSON.parse(fs.readFileSync(packageJson, 'utf8'))?.type === 'module';
    } catch (error) {
      console.warn(`${packageJson} cannot be read, it will be ignored for ES module detection purposes.`, error);
      return false;
    }
  }
  const parent = path.resolve(folder, '..');
  return parent === folder ? false : typeModuleFolder(parent);
}

const requireIfExists = (file) => (fs.existsSync(file) ? require(file) : undefined);
const importIfExists = async (file) => (fs.existsSync(file) ? import(pathToFileURL(file).href) : undefined);

async function loadModule(taskRoot, moduleRoot, moduleName) {
  const base = path.resolve(taskRoot, moduleRoot, moduleName);
  const extensionless = requireIfExists(base);
  if (extensionless) return extensionless;
  const esm = typeModuleFolder(path.dirname(base));
  if (!esm) {
    const commonJs = requireIfExists(base + '.js');
    if (commonJs) return commonJs;
  }
  const loaded = (esm && (await importIfExists(base + '.js'))) ||
    (await importIfExists(base + '.mjs')) ||
    requireIfExists(base + '.cjs');
  if (loaded) return loaded;
  // A package under node_modules, as require() would find it from the code.
  return require(require.resolve(moduleName, { paths: [taskRoot, moduleRoot] }));
}

async function loadHandler(taskRoot, fullHandler) {
  if (fullHandler.includes('..')) {
    throw new MalformedHandlerName(`'${fullHandler}' is not a valid handler name. ` +
      'Use absolute paths when specifying root directories in handler names.');
  }
  const handlerName = path.basename(fullHandler);
  const moduleRoot = fullHandler.slice(0, fullHandler.indexOf(handlerName));
  const match = handlerName.match(/^([^.]*)\.(.*)$/);
  if (!match) throw new MalformedHandlerName('Bad handler');
  const [, moduleName, exportPath] = match;

  let module;
  try {
    module = await loadModule(taskRoot, moduleRoot, moduleName);
  } catch (error) {
    if (error instanceof SyntaxError) throw new UserCodeSyntaxError(error);
    if (error && (error.code === 'MODULE_NOT_FOUND' || error.code === 'ERR_MODULE_NOT_FOUND')) {
      throw new ImportModuleError(error);
    }
    throw error;
  }
  const handler = exportPath.split('.').reduce((object, key) => object && object[key], module);
  if (!handler) throw new HandlerNotFound(`${fullHandler} is undefined or not exported`);
  if (typeof handler !== 'function') throw new HandlerNotFound(`${fullHandler} is not a function`);
  return handler;
}

// --- one invocation ------------------------------------------------------------

// What the process-wide error listeners do: before the first invocation they
// report an init error; during one, that invocation's error. Then the process
// ends (the server starts a fresh worker).
const onFatal = {
  uncaughtException: (error) => postInitError(error, () => process.exit(129)),
  unhandledRejection: (error) => postInitError(error, () => process.exit(128)),
};

// The callback, and the parts of the context that end an invocation; only the
// first of them to be called counts.
function callbackContext(requestId, scheduleNext) {
  let waitForEmptyLoop = true;
  let completed = false;
  const fail = (error) => {
    logError('Invoke Error', error);
    postError(requestId, error, scheduleNext);
  };
  const complete = (result) => {
    if (completed) {
      console.error('Invocation has already been reported as done. Cannot call complete more than once per invocation.');
      return;
    }
    completed = true;
    postResponse(requestId, result, scheduleNext);
  };
  const callback = (error, result) => {
    onEmptyLoop = null;
    if (error !== undefined && error !== null) {
      fail(error);
    } else if (!waitForEmptyLoop) {
      complete(result);
    } else {
      onEmptyLoop = () => setImmediate(() => complete(result));
    }
  };
  const done = (error, result) => {
    onEmptyLoop = null;
    if (error !== undefined && error !== null) fail(error);
    else complete(result);
  };

  let finished = false;
  const firstCallOnly = (fn) => (...args) => {
    if (finished) return;
    fn(...args);
    finished = true;
  };
  const context = {
    get callbackWaitsForEmptyEventLoop() { return waitForEmptyLoop; },
    set callbackWaitsForEmptyEventLoop(value) { waitForEmptyLoop = value; },
    succeed: firstCallOnly((result) => done(null, result)),
    fail: firstCallOnly((error) => (error === undefined || error === null ? done('handled') : done(error, null))),
    done: firstCallOnly(done),
  };
  return [firstCallOnly(callback), context, () => { completed = true; }];
}

function parseJsonHeader(text, name) {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new Error(`Cannot parse ${name} as json: ${error.toString()}`);
  }
}

function isPromise(value) {
  return value && typeof value.then === 'function';
}

function runtimeLoop(handler) {
  const isAsync = handler.constructor?.name === 'AsyncFunction';
  const scheduleNext = () => setImmediate(() => handleOnce().catch((error) => {
    console.log(`Unexpected Top Level Error: ${error}`);
    onFatal.uncaughtException(error);
  }));

  async function handleOnce() {
    let next;
    try {
      next = await apiRequest('GET', `${API}/invocation/next`, undefined, {});
    } catch (error) {
      apiGone(error);
    }
    // Any answer but 200 (e.g. 500 Runtime.Stopping): the server ends this worker.
    if (next.status !== 200) process.exit(0);
    const headers = next.headers;
    const requestId = headers['lambda-runtime-aws-request-id'];
    currentRequestId = requestId;
    if (headers['lambda-runtime-trace-id']) process.env._X_AMZN_TRACE_ID = headers['lambda-runtime-trace-id'];
    else delete process.env._X_AMZN_TRACE_ID;

    const [callback, context, markCompleted] = callbackContext(requestId, scheduleNext);
    onFatal.uncaughtException = (error) => postError(requestId, error, () => process.exit(129));
    onFatal.unhandledRejection = (error) => postError(requestId, error, () => process.exit(128));
    // The loop went empty with the invocation still open: a plain handler
    // that never called back answers null; an async one whose promise can no
    // longer settle fails.
    onEmptyLoop = () => {
      markCompleted();
      if (isAsync) {
        const error = new NodeJsExit('The Lambda runtime client detected an unexpected Node.js exit code. ' +
          'This is most commonly caused by a Promise that was never settled.');
        logError('Invoke Error', error);
        postError(requestId, error, scheduleNext);
      } else {
        postResponse(requestId, null, scheduleNext);
      }
    };

    try {
      const deadline = Number(headers['lambda-runtime-deadline-ms']);
      Object.assign(context, {
        functionVersion: process.env.AWS_LAMBDA_FUNCTION_VERSION,
        functionName: process.env.AWS_LAMBDA_FUNCTION_NAME,
        memoryLimitInMB: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
        logGroupName: process.env.AWS_LAMBDA_LOG_GROUP_NAME,
        logStreamName: process.env.AWS_LAMBDA_LOG_STREAM_NAME,
        clientContext: parseJsonHeader(headers['lambda-runtime-client-context'], 'ClientContext'),
        identity: parseJsonHeader(headers['lambda-runtime-cognito-identity'], 'CognitoIdentity'),
        invokedFunctionArn: headers['lambda-runtime-invoked-function-arn'],
        awsRequestId: requestId,
        getRemainingTimeInMillis: () => deadline - Date.now(),
      });
      const result = handler(JSON.parse(next.body), context, callback);
      if (isPromise(result)) result.then(context.succeed, context.fail).catch(context.fail);
    } catch (error) {
      callback(error);
    }
  }

  scheduleNext();
}

// --- a spare: started before its function is known -----------------------------

// Says "ready" on fd 3, then waits there for the server to give this spare
// process a function: the whole environment (Runtime API address and handler
// included) and the code directory, as JSON, then EOF. Until then nothing of
// any function runs.
function takeAssignment(fd = 3) {
  // What the first invocations will run is compiled meanwhile.
  new ResponseReader().add(Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 2\r\nA: b\r\n\r\n{}'));
  errorDocument(new Error('warm-up'));
  try {
    fs.writeSync(fd, 'ready\n');
  } catch {
    // The assignment came first and the server closed its end.
  }
  const chunks = [];
  const buffer = Buffer.allocUnsafe(65536);
  for (;;) {
    let n;
    try {
      n = fs.readSync(fd, buffer);
    } catch (error) {
      if (error.code === 'EINTR' || error.code === 'EAGAIN') continue;
      throw error;
    }
    if (n === 0) break;
    chunks.push(Buffer.from(buffer.subarray(0, n)));
  }
  fs.closeSync(fd);
  if (chunks.length === 0) process.exit(0);  // the server stopped this spare
  const assignment = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  for (const name of Object.keys(process.env)) delete process.env[name];
  Object.assign(process.env, assignment.env);  // setting TZ resets node's time zone
  process.chdir(assignment.cwd);
  process.argv.splice(2);
}

// --- start ----------------------------------------------------------------------

if (process.argv[2] === '--spare' && process.argv.length === 3) takeAssignment();
patchConsole();
process.on('uncaughtException', (error) => {
  logError('Uncaught Exception', error);
  onFatal.uncaughtException(error);
});
process.on('unhandledRejection', (reason, promise) => {
  const error = new UnhandledPromiseRejection(reason, promise);
  logError('Unhandled Promise Rejection', error);
  onFatal.unhandledRejection(error);
});

if (!process.env.AWS_LAMBDA_RUNTIME_API) {
  process.stderr.write('bootstrap: AWS_LAMBDA_RUNTIME_API is not set\n');
  process.exit(2);
}
api = new RuntimeApi(process.env.AWS_LAMBDA_RUNTIME_API);

let handler;
try {
  handler = await loadHandler(process.env.LAMBDA_TASK_ROOT || process.cwd(), process.env._HANDLER || '');
} catch (error) {
  logError('Uncaught Exception', error);
  postInitError(error, () => process.exit(129));
}
if (handler) runtimeLoop(handler);
