// Speakers in lab namespaces reach the API server through two tiny forwarders (no address is
// added outside the namespaces): host side, Unix socket → API server on 127.0.0.1; namespace side,
// 127.0.0.1:port → Unix socket. Run with `node -e FORWARDER_SOURCE <to-tcp|to-unix> <listen> <target>`.
export const FORWARDER_SOURCE = `
const net = require('node:net');
const [mode, listenOn, target] = process.argv.slice(1);
const connect = () => mode === 'to-tcp' ? net.connect(Number(target), '127.0.0.1') : net.connect(target);
const server = net.createServer((client) => {
  const upstream = connect();
  client.pipe(upstream); upstream.pipe(client);
  client.on('error', () => upstream.destroy()); upstream.on('error', () => client.destroy());
});
if (mode === 'to-tcp') server.listen(listenOn); else server.listen(Number(listenOn), '127.0.0.1');
`;
