// A tiny OpenAI-compatible chat-completions server over a real GGUF model, for the local-model test tier.
//
//   node server.mjs --model MODEL.gguf --modules NODE_MODULES_DIR [--name NAME] [--port 0] [--threads 1]
//
// It serves GET /v1/models and POST /v1/chat/completions on 127.0.0.1 with node-llama-cpp's prebuilt
// CPU binary: response_format json_schema becomes a grammar built from the schema (the reply cannot leave
// it), json_object the generic JSON grammar, anything else free text. max_tokens (or
// max_completion_tokens) bounds the reply and a reply stopped there has finish_reason "length"; usage
// counts the prompt and reply tokens. Each request starts from an empty context, so temperature 0 gives
// the same reply to the same request. One request generates at a time (the others
// wait); a client that hangs up stops its generation. It prints "listening <base url>" once the model is
// loaded, and exits on SIGTERM or when its standard input closes (so it never outlives the tests).
import http from "node:http";
import { createRequire } from "node:module";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";

const { values: options } = parseArgs({
    options: {
        model: { type: "string" },
        modules: { type: "string" },
        name: { type: "string", default: "smollm2-135m-instruct" },
        port: { type: "string", default: "0" },
        threads: { type: "string", default: "1" },
        context: { type: "string", default: "4096" },
    },
});
if (!options.model || !options.modules) {
    console.error("usage: node server.mjs --model MODEL.gguf --modules NODE_MODULES_DIR [--name NAME] [--port N]");
    process.exit(2);
}

const require = createRequire(path.join(path.resolve(options.modules), "resolve-from-here.js"));
const { getLlama, LlamaChat, TokenMeter } = await import(pathToFileURL(require.resolve("node-llama-cpp")).href);

const DEFAULT_MAX_TOKENS = 1024;
const MAX_BODY_BYTES = 4 * 1024 * 1024;

// One thread: spinning ggml worker threads crawl when the cores are shared with other work.
const llama = await getLlama({ gpu: false, build: "never", logLevel: "error", progressLogs: false });
const model = await llama.loadModel({ modelPath: path.resolve(options.model) });
const context = await model.createContext({ contextSize: Number(options.context), threads: Number(options.threads) });
const sequence = context.getSequence();
const chat = new LlamaChat({ contextSequence: sequence });
const jsonGrammar = await llama.getGrammarFor("json");

let queue = Promise.resolve();
function serialised(task) {
    const run = queue.then(task, task);
    queue = run.catch(() => {});
    return run;
}

function send(res, status, payload) {
    if (res.writableEnded || res.destroyed) return;
    const body = JSON.stringify(payload);
    res.writeHead(status, { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(body) });
    res.end(body);
}

function sendError(res, status, message, type = status >= 500 ? "server_error" : "invalid_request_error") {
    send(res, status, { error: { message, type } });
}

function readBody(req) {
    return new Promise((resolve, reject) => {
        const chunks = [];
        let size = 0;
        req.on("data", (chunk) => {
            size += chunk.length;
            if (size > MAX_BODY_BYTES) {
                reject(new Error("request body too large"));
                req.destroy();
                return;
            }
            chunks.push(chunk);
        });
        req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
        req.on("error", reject);
    });
}

function toHistory(messages) {
    const history = [];
    for (const message of messages) {
        const text = typeof message.content === "string" ? message.content : "";
        if (message.role === "system") history.push({ type: "system", text });
        else if (message.role === "assistant") history.push({ type: "model", response: [text] });
        else history.push({ type: "user", text });
    }
    history.push({ type: "model", response: [] });
    return history;
}

async function grammarFor(responseFormat) {
    if (!responseFormat || responseFormat.type === "text") return undefined;
    if (responseFormat.type === "json_object") return jsonGrammar;
    if (responseFormat.type === "json_schema") {
        const schema = responseFormat.json_schema?.schema;
        if (!schema || typeof schema !== "object") throw new Error("response_format json_schema needs a schema");
        return await llama.createGrammarForJsonSchema(schema);
    }
    throw new Error(`response_format type '${responseFormat.type}' is not supported`);
}

async function complete(body, res) {
    if (body.model !== options.name) {
        sendError(res, 404, `model '${body.model}' not found (this server has '${options.name}')`);
        return;
    }
    if (!Array.isArray(body.messages) || body.messages.length === 0) {
        sendError(res, 400, "messages must be a non-empty list");
        return;
    }
    let grammar;
    try {
        grammar = await grammarFor(body.response_format);
    } catch (error) {
        sendError(res, 400, `invalid response_format: ${error.message}`);
        return;
    }
    const abort = new AbortController();
    res.on("close", () => abort.abort(new Error("client went away")));
    if (res.destroyed) return;
    const maxTokens = Number(body.max_completion_tokens ?? body.max_tokens ?? DEFAULT_MAX_TOKENS);
    const before = sequence.tokenMeter.getState();
    const started = process.hrtime.bigint();
    let reply;
    try {
        // Every request starts from an empty context: reusing the previous request's evaluated tokens
        // changes the float rounding of the prompt's batches, and with it a greedy reply.
        await sequence.clearHistory();
        reply = await chat.generateResponse(toHistory(body.messages), {
            grammar,
            maxTokens,
            temperature: Number(body.temperature ?? 0),
            seed: body.seed ?? undefined,
            signal: abort.signal,
            stopOnAbortSignal: false,
        });
    } catch (error) {
        if (abort.signal.aborted) return; // nobody is waiting for this reply
        sendError(res, 500, `generation failed: ${error.message}`);
        return;
    }
    const used = TokenMeter.diff(sequence.tokenMeter, before);
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    console.error(
        `${body.response_format?.type ?? "text"}: ${used.usedInputTokens} prompt + ${used.usedOutputTokens} reply ` +
            `tokens (max ${maxTokens}) in ${seconds.toFixed(1)} s, ${(used.usedOutputTokens / seconds).toFixed(1)} ` +
            `tokens/s, stopped by ${reply.metadata.stopReason}`,
    );
    send(res, 200, {
        id: `chatcmpl-local-${Date.now()}`,
        object: "chat.completion",
        created: Math.floor(Date.now() / 1000),
        model: options.name,
        choices: [
            {
                index: 0,
                message: { role: "assistant", content: reply.response },
                finish_reason: reply.metadata.stopReason === "maxTokens" ? "length" : "stop",
            },
        ],
        usage: {
            prompt_tokens: used.usedInputTokens,
            completion_tokens: used.usedOutputTokens,
            total_tokens: used.usedInputTokens + used.usedOutputTokens,
        },
    });
}

const server = http.createServer(async (req, res) => {
    const route = (req.url || "").split("?")[0].replace(/\/+$/, "");
    try {
        if (req.method === "GET" && route === "/v1/models") {
            send(res, 200, { object: "list", data: [{ id: options.name, object: "model", owned_by: "local" }] });
        } else if (req.method === "POST" && route === "/v1/chat/completions") {
            let body;
            try {
                body = JSON.parse(await readBody(req));
            } catch (error) {
                sendError(res, 400, `the request body is not JSON: ${error.message}`);
                return;
            }
            await serialised(() => complete(body, res));
        } else {
            sendError(res, 404, `no route ${req.method} ${route}`);
        }
    } catch (error) {
        sendError(res, 500, error.message);
    }
});

async function shutdown() {
    server.close();
    await context.dispose();
    await model.dispose();
    await llama.dispose();
    process.exit(0);
}
process.on("SIGTERM", shutdown);
process.on("SIGINT", shutdown);
process.stdin.on("end", shutdown);
process.stdin.resume();

server.listen(Number(options.port), "127.0.0.1", () => {
    console.log(`listening http://127.0.0.1:${server.address().port}/v1`);
});
