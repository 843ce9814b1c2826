// A loopback proxy in front of the test server that can lose answers: it forwards a request,
// lets the server handle it completely, and then cuts the client's connection instead of
// answering. That is a push whose answer was lost.
import { createServer, request } from "node:http";

export class LossyProxy {
  constructor(target) {
    this.target = new URL(target);
    this.dropPushes = 0;
    this.dropped = 0;
    this.server = createServer((req, res) => this.forward(req, res));
  }

  static async start(target) {
    const proxy = new LossyProxy(target);
    await new Promise((r) => proxy.server.listen(0, "127.0.0.1", r));
    proxy.url = `http://127.0.0.1:${proxy.server.address().port}`;
    return proxy;
  }

  forward(req, res) {
    const drop = req.method === "POST" && req.url.startsWith("/sync") && this.dropPushes > 0;
    if (drop) this.dropPushes--;
    const upstream = request(
      { host: this.target.hostname, port: this.target.port, path: req.url, method: req.method, headers: { ...req.headers, host: this.target.host } },
      (answer) => {
        if (drop) {
          answer.resume();
          answer.on("end", () => {
            this.dropped++;
            req.socket.destroy();
          });
          return;
        }
        res.writeHead(answer.statusCode, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on("error", () => req.socket.destroy());
    req.pipe(upstream);
  }

  close() {
    this.server.closeAllConnections();
    return new Promise((r) => this.server.close(r));
  }
}
