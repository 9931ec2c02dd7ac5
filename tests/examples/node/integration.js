// A Front custom-channel integration in plain Node (18+, no npm packages): a tiny chat bridge.
//
// - Its users write in its chat: `POST /chat/messages` with {"thread", "handle", "name", "text"}. It pushes
//   each one into Front with `POST /channels/{channel_id}/incoming_messages`, threaded by `thread`.
// - A teammate replies in Front: Front POSTs the message to this app's Outgoing URL, `POST /front/outgoing`.
//   It verifies X-Front-Signature (base64 HMAC-SHA1 of the raw body, keyed with the API secret) before
//   reading the body, answers {"type": "success"}, and a bad signature gets 401 with Front's error answer.
//
//   FRONT_API_URL=… FRONT_API_TOKEN=… FRONT_API_SECRET=… FRONT_CHANNEL_ID=… node integration.js --port 9000
//
// It prints `listening on http://127.0.0.1:PORT` once it accepts connections (--port 0 picks a free port).
"use strict";

const crypto = require("node:crypto");
const http = require("node:http");

const frontUrl = process.env.FRONT_API_URL;
const token = process.env.FRONT_API_TOKEN;
const secret = process.env.FRONT_API_SECRET;
const channelId = process.env.FRONT_CHANNEL_ID;
const portFlag = process.argv.indexOf("--port");
const port = portFlag === -1 ? 9000 : Number(process.argv[portFlag + 1]);
let delivered = 0;

function answer(response, status, document) {
  response.writeHead(status, { "content-type": "application/json" });
  response.end(JSON.stringify(document));
}

function readBody(request) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    request.on("data", (chunk) => chunks.push(chunk));
    request.on("end", () => resolve(Buffer.concat(chunks)));
    request.on("error", reject);
  });
}

function signatureIsValid(signature, rawBody) {
  const expected = crypto.createHmac("sha1", secret).update(rawBody).digest();
  const given = Buffer.from(signature || "", "base64");
  return given.length === expected.length && crypto.timingSafeEqual(given, expected);
}

async function frontOutgoing(request, response) {
  const rawBody = await readBody(request);
  // Verify the bytes Front signed, before parsing them.
  if (!signatureIsValid(request.headers["x-front-signature"], rawBody)) {
    console.log("refused an outgoing message: bad signature");
    return answer(response, 401, {
      type: "authentication_required",
      message: "The X-Front-Signature is not valid.",
    });
  }
  let message;
  try {
    message = JSON.parse(rawBody);
  } catch {
    return answer(response, 400, { type: "bad_request", message: "The body is not JSON." });
  }
  delivered += 1;
  console.log(`verified outgoing message ${message.id}: ${JSON.stringify(message.text)}`);
  answer(response, 200, { type: "success", external_id: `node-${delivered}` });
}

async function chatMessage(request, response) {
  const chat = JSON.parse(await readBody(request));
  const front = await fetch(`${frontUrl}/channels/${channelId}/incoming_messages`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: JSON.stringify({
      sender: { handle: chat.handle, name: chat.name },
      body: chat.text,
      metadata: { thread_ref: chat.thread },
    }),
  });
  answer(response, front.status, await front.json());
}

const routes = {
  "POST /front/outgoing": frontOutgoing,
  "POST /chat/messages": chatMessage,
};

const server = http.createServer((request, response) => {
  const route = routes[`${request.method} ${request.url}`];
  if (!route) {
    return answer(response, 404, { type: "not_found", message: `No route ${request.method} ${request.url}.` });
  }
  route(request, response).catch((error) => {
    console.error(error);
    answer(response, 500, { type: "internal_error", message: String(error) });
  });
});

server.listen(port, "127.0.0.1", () => {
  console.log(`listening on http://127.0.0.1:${server.address().port}`);
});
