'use strict';
// One persistent process per cloud-function folder (node-runtime.md §0.2-0.4, §5).
//
// Requests arrive as JSON lines on stdin; replies leave as JSON lines on a pipe of their own
// (its descriptor number is argv[3]), so whatever the function or its libraries print on
// stdout cannot corrupt the protocol. stdin closing means pytest is gone: the worker exits,
// so it never outlives the test run.
//
// Every invocation runs inside an AsyncLocalStorage store that carries its environment
// overlay (seen through a process.env Proxy), its clock (seen through a Date shim), its
// captured output and its outstanding HTTP requests. Concurrent invocations therefore keep
// their own identities, as real SCF containers would (§5.2).

const fs = require('fs');
const http = require('http');
const https = require('https');
const net = require('net');
const path = require('path');
const readline = require('readline');
const util = require('util');
const { AsyncLocalStorage } = require('async_hooks');

const als = new AsyncLocalStorage();
const folder = process.argv[2];
const entry = path.join(folder, 'index.js');
const replies = new net.Socket({ fd: Number(process.argv[3]), readable: false, writable: true });

function send(message) {
  replies.write(JSON.stringify(message) + '\n');
}

// ---------------------------------------------------------------- process.env overlay
// A store's env maps a name to a string, or to null for "unset in this invocation".
const realEnv = process.env;
const own = Object.prototype.hasOwnProperty;
function overlay() {
  const store = als.getStore();
  return store === undefined ? undefined : store.env;
}
process.env = new Proxy(realEnv, {
  get(target, key) {
    const env = overlay();
    if (env !== undefined && typeof key === 'string' && own.call(env, key)) {
      return env[key] === null ? undefined : env[key];
    }
    return Reflect.get(target, key);
  },
  set(target, key, value) {
    const env = overlay();
    if (env !== undefined && typeof key === 'string') {
      env[key] = String(value);
      return true;
    }
    return Reflect.set(target, key, value);
  },
  has(target, key) {
    const env = overlay();
    if (env !== undefined && typeof key === 'string' && own.call(env, key)) {
      return env[key] !== null;
    }
    return Reflect.has(target, key);
  },
  deleteProperty(target, key) {
    const env = overlay();
    if (env !== undefined && typeof key === 'string') {
      env[key] = null;
      return true;
    }
    return Reflect.deleteProperty(target, key);
  },
  ownKeys(target) {
    const env = overlay();
    const keys = new Set(Reflect.ownKeys(target));
    if (env !== undefined) {
      for (const [key, value] of Object.entries(env)) {
        if (value === null) keys.delete(key);
        else keys.add(key);
      }
    }
    return [...keys];
  },
  getOwnPropertyDescriptor(target, key) {
    const env = overlay();
    if (env !== undefined && typeof key === 'string' && own.call(env, key)) {
      if (env[key] === null) return undefined;
      return { value: env[key], writable: true, enumerable: true, configurable: true };
    }
    return Reflect.getOwnPropertyDescriptor(target, key);
  },
});

// ---------------------------------------------------------------- Date on the cloud clock
// Only Date is replaced: faking timers makes the SDK's requests never settle (§6.1).
const RealDate = Date;
function nowMs() {
  const store = als.getStore();
  if (store === undefined) return RealDate.now();
  const clock = store.clock;
  return clock.frozen ? clock.ms : RealDate.now() + clock.offset;
}
function CloudDate(...args) {
  if (new.target === undefined) return new RealDate(nowMs()).toString();
  if (args.length === 0) return Reflect.construct(RealDate, [nowMs()], new.target);
  return Reflect.construct(RealDate, args, new.target);
}
Object.setPrototypeOf(CloudDate, RealDate);
CloudDate.prototype = RealDate.prototype;
CloudDate.now = nowMs;
CloudDate.parse = RealDate.parse;
CloudDate.UTC = RealDate.UTC;
global.Date = CloudDate;

// ---------------------------------------------------------------- output per invocation
for (const stream of [process.stdout, process.stderr]) {
  const write = stream.write.bind(stream);
  stream.write = function captured(chunk, encoding, callback) {
    const store = als.getStore();
    if (store === undefined || store.replied) return write(chunk, encoding, callback);
    store.logs.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
    if (typeof encoding === 'function') encoding();
    else if (typeof callback === 'function') callback();
    return true;
  };
}

// ---------------------------------------------------------------- outstanding requests
// A function may start a write and return without awaiting it (find-or-create logins do);
// the reply waits for such requests so their effect is in the database when the call returns.
function track(module) {
  for (const method of ['request', 'get']) {
    const original = module[method];
    module[method] = function tracked(...args) {
      const request = original.apply(this, args);
      const store = als.getStore();
      if (store !== undefined && !store.replied) {
        store.pending += 1;
        request.once('close', () => {
          store.pending -= 1;
          if (store.pending === 0 && store.idle !== undefined) store.idle();
        });
      }
      return request;
    };
  }
}
track(http);
track(https);

// ---------------------------------------------------------------- invocations
const inFlight = new Map();

function describe(error) {
  if (error instanceof Error) {
    const detail = typeof error.errMsg === 'string' ? error.errMsg : `${error.name}: ${error.message}`;
    return { detail, stack: String(error.stack || detail) };
  }
  let text;
  try {
    text = typeof error === 'string' ? error : JSON.stringify(error);
  } catch (_) {
    text = undefined;
  }
  if (text === undefined) text = String(error);
  return { detail: text, stack: `a non-Error value was thrown: ${util.inspect(error)}` };
}

function reply(store, fields) {
  if (store.replied) return;
  store.replied = true;
  inFlight.delete(store.id);
  send({ op: 'done', id: store.id, logs: store.logs.join(''), ...fields });
}

function fail(store, error, how) {
  const { detail, stack } = describe(error);
  reply(store, { ok: false, how, detail, stack });
}

async function settle(store) {
  // Let promise chains the function left behind reach their first request, then wait for
  // every request started inside the invocation.
  for (;;) {
    await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => setImmediate(resolve));
    if (store.pending === 0) return;
    await new Promise((resolve) => {
      store.idle = resolve;
    });
    store.idle = undefined;
  }
}

async function succeed(store, result) {
  await settle(store);
  if (store.replied) return;
  let text;
  try {
    text = JSON.stringify(result);
  } catch (error) {
    reply(store, { ok: false, how: 'result', detail: `the return value is not JSON: ${error.message}`, stack: String(error.stack) });
    return;
  }
  reply(store, text === undefined ? { ok: true } : { ok: true, result: text });
}

function invoke(handler, message) {
  const store = {
    id: message.id,
    env: message.env,
    clock: message.clock,
    logs: [],
    pending: 0,
    idle: undefined,
    replied: false,
  };
  inFlight.set(store.id, store);
  const started = RealDate.now();
  const limit = message.context.time_limit_in_ms;
  const context = {
    ...message.context,
    getRemainingTimeInMillis: () => Math.max(0, limit - (RealDate.now() - started)),
  };
  als.run(store, () => {
    let outcome;
    try {
      outcome = Promise.resolve(handler(message.event, context));
    } catch (error) {
      outcome = Promise.reject(error);
    }
    outcome.then(
      (result) => succeed(store, result),
      (error) => fail(store, error, 'threw'),
    );
  });
}

function crashed(error, how) {
  const store = als.getStore();
  if (store !== undefined && !store.replied) {
    fail(store, error, how);
    return;
  }
  // Not attributable to a live invocation: report it as the worker's own output.
  process.stderr.write(`${how === 'rejected' ? 'Unhandled rejection' : 'Uncaught exception'}: ${describe(error).stack}\n`);
}
process.on('uncaughtException', (error) => crashed(error, 'uncaught'));
process.on('unhandledRejection', (reason) => crashed(reason, 'rejected'));

// "file:line" of a load failure: a SyntaxError names it on the stack's first line, anything
// else in its first frame inside the function folder.
function locate(error) {
  const lines = String((error && error.stack) || '').split('\n');
  if (/^\/.*:\d+$/.test(lines[0])) return lines[0];
  for (const line of lines) {
    const frame = /\(?(\/[^()]*?):(\d+):\d+\)?$/.exec(line.trim());
    if (frame && frame[1].startsWith(folder) && !frame[1].includes('/node_modules/')) {
      return `${frame[1]}:${frame[2]}`;
    }
  }
  return '';
}

function load() {
  if (!fs.existsSync(entry)) {
    return { error: `${entry} does not exist: a Node.js cloud function needs index.js exporting main` };
  }
  let module;
  try {
    module = require(entry);
  } catch (error) {
    const where = locate(error);
    const detail = describe(error).detail;
    return { error: `loading ${entry} failed: ${where ? `${where}: ` : ''}${detail}`, stack: String(error && error.stack) };
  }
  if (module === null || typeof module.main !== 'function') {
    const found = module === null || module === undefined ? String(module) : typeof module.main;
    return {
      error: `${entry} does not export a main function (exports.main is ${found}); ` +
        'write exports.main = async (event, context) => { ... }',
    };
  }
  return { main: module.main };
}

const loaded = load();
if (loaded.error !== undefined) {
  send({ op: 'loadError', detail: loaded.error, stack: loaded.stack || loaded.error });
  replies.end(() => process.exit(0));
} else {
  send({ op: 'ready', pid: process.pid });
  const lines = readline.createInterface({ input: process.stdin, crlfDelay: Infinity });
  lines.on('line', (line) => {
    if (line === '') return;
    const message = JSON.parse(line);
    if (message.op === 'invoke') invoke(loaded.main, message);
    else if (message.op === 'abandon') {
      const store = inFlight.get(message.id);
      if (store !== undefined) {
        store.replied = true;
        inFlight.delete(message.id);
      }
    } else if (message.op === 'ping') send({ op: 'pong', id: message.id });
  });
  lines.on('close', () => process.exit(0));
}
