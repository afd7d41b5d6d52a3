/**
 * Mosh, the mobile shell, in TypeScript for Deno — wire-compatible with
 * mosh 1.4.0 (protocol version 2).
 *
 * The layers, in the order data flows: session keys and AES-128-OCB3
 * (`crypto`), sealed datagrams, fragments and the State Synchronization
 * Protocol (`network`), the synchronized user stream and terminal
 * (`statesync`), the terminal emulator and display diff (`terminal`), and
 * the client and server sessions.
 *
 * Whole sessions in a few lines: {@linkcode serveSession} serves a Deno
 * program to any mosh client (no pty, no shell), and
 * {@linkcode connectSession} drives any mosh server from a script.
 *
 * @example Serve a program over mosh, and drive it headless
 * ```ts
 * import { connectSession, serveSession } from "./mod.ts";
 * const server = await serveSession({ hostname: "127.0.0.1", port: 0 }, async (session) => {
 *   const writer = session.writable.getWriter();
 *   await writer.write(new TextEncoder().encode(`${session.columns}x${session.rows}> `));
 *   await session.closed; // until the client quits
 * });
 * // Any mosh client can join: MOSH_KEY=<server.key> mosh-client 127.0.0.1 <server.port>
 * const client = await connectSession({ hostname: "127.0.0.1", port: server.port, key: server.key });
 * await client.waitForText("80x24> ");
 * await client.close();
 * await server.finished;
 * ```
 *
 * @example Seal and open a datagram
 * ```ts
 * import { Direction, generateKey, PacketCodec } from "./mod.ts";
 * const key = generateKey();
 * const client = new PacketCodec(key, Direction.ToServer);
 * const server = new PacketCodec(key, Direction.ToClient);
 * const wire = client.seal({ seq: 0, timestamp: 1, timestampReply: 0xffff, payload: new Uint8Array(10) });
 * ```
 *
 * @example Emulate a terminal and diff two screens
 * ```ts
 * import { Emulator, Framebuffer, newFrame } from "./mod.ts";
 * const term = new Emulator(80, 24);
 * term.write(new TextEncoder().encode("\x1b[1mhello\x1b[0m"));
 * const update = newFrame(true, new Framebuffer(80, 24), term.fb); // escape string
 * ```
 *
 * @module
 */
export { MOSH_COMPAT_VERSION, PROTOCOL_VERSION, VERSION, versionText } from "./lib/version.ts";

// crypto
export {
  AesOcb,
  CipherExhaustedError,
  OCB_NONCE_LENGTH,
  OCB_TAG_LENGTH,
} from "./lib/crypto/ocb.ts";
export {
  formatKey,
  generateKey,
  KEY_BYTES,
  KEY_TEXT_LENGTH,
  KeyFormatError,
  parseKey,
} from "./lib/crypto/session_key.ts";

// network
export {
  DatagramError,
  type DatagramFault,
  Direction,
  type Packet,
  PacketCodec,
  timestamp16,
  TIMESTAMP_NONE,
} from "./lib/network/packet.ts";
export {
  decodeInstruction,
  encodeInstruction,
  type Instruction,
  InstructionFormatError,
  makeInstruction,
  SHUTDOWN_NUM,
} from "./lib/network/instruction.ts";
export { compress, CompressionError, decompress } from "./lib/network/compression.ts";
export {
  chunkSizeFor,
  Fragmenter,
  MTU_DEFAULT,
  MTU_IPV4,
  MTU_IPV6,
} from "./lib/network/fragmenter.ts";
export { FragmentAssembly, FragmentFormatError } from "./lib/network/fragment_assembly.ts";
export { RttEstimator } from "./lib/network/rtt_estimator.ts";
export type { Address, DatagramSocket, SocketOpener } from "./lib/network/datagram_socket.ts";
export {
  Connection,
  type ConnectionOptions,
  type DropCounters,
  type Role,
} from "./lib/network/connection.ts";
export {
  type SenderJournal,
  type SentState,
  TransportSender,
} from "./lib/network/transport_sender.ts";
export type { AckJournal, NumberedState } from "./lib/network/durable_acks.ts";
export {
  type InstructionDrops,
  Transport,
  type TransportJournal,
  type TransportOptions,
  type TransportResume,
} from "./lib/network/transport.ts";
export { UdpSocket } from "./lib/network/udp_socket.ts";
export type { SyncState } from "./lib/network/sync_state.ts";

// statesync
export { UserStream } from "./lib/statesync/user_stream.ts";
export { CompleteTerminal } from "./lib/statesync/complete_terminal.ts";
export { Feature, KNOWN_FEATURES, PeerFeatures } from "./lib/statesync/capabilities.ts";
export { type HistoryChunk, ReceivedHistory } from "./lib/statesync/received_history.ts";
export type { TerminalScreen } from "./lib/statesync/terminal_screen.ts";
export {
  decodeUserMessage,
  DiffFormatError,
  encodeUserMessage,
  type UserEvent,
} from "./lib/statesync/user_message.ts";
export {
  decodeHostMessage,
  encodeHostMessage,
  type HostInstruction,
} from "./lib/statesync/host_message.ts";

// terminal
export { Emulator, parseHyperlink, UserInputTranslator } from "./lib/terminal/emulator.ts";
export { ScrollbackStore } from "./lib/terminal/scrollback_store.ts";
export {
  DrawState,
  Framebuffer,
  type SavedCursor,
  type SavedTitle,
  TITLE_STACK_DEPTH,
} from "./lib/terminal/framebuffer.ts";
export { type Renditions, sgrString } from "./lib/terminal/renditions.ts";
export { Row } from "./lib/terminal/row.ts";
export { Parser, type ParserHandler } from "./lib/terminal/parser.ts";
export { Utf8Decoder } from "./lib/terminal/utf8_decoder.ts";
export { charWidth } from "./lib/terminal/char_width.ts";
export {
  type Capabilities,
  capabilitiesForTerm,
  type HistoryLine,
  lineString,
  newFrame,
  pushLines,
  SERVER_CAPABILITIES,
} from "./lib/terminal/display.ts";
export { TerminalState } from "./lib/terminal/terminal_state.ts";

// client and server
export { PredictionEngine } from "./lib/client/prediction_engine.ts";
export { NotificationBar } from "./lib/client/notification_bar.ts";
export {
  loadTerminfo,
  locateTerminfo,
  parseTerminfo,
  type Terminfo,
  type TerminfoEnvironment,
  TerminfoError,
} from "./lib/client/terminfo.ts";
export {
  describeTerminal,
  terminalColors,
  type TerminalDescription,
  UnknownTerminalError,
} from "./lib/client/terminal_description.ts";
export {
  ClientCore,
  type ClientCoreOptions,
  type ClientResult,
  type ClientSink,
  type ClientTransport,
  type KeyFilter,
} from "./lib/client/client_core.ts";
export {
  type LocalTerminal,
  TerminalSink,
  type TerminalSinkOptions,
} from "./lib/client/terminal_sink.ts";
export { ClientSession, type ClientSessionOptions } from "./lib/client/client_session.ts";
export {
  type CursorPosition,
  FramebufferSink,
  ScreenWaitError,
} from "./lib/client/framebuffer_sink.ts";
export {
  ConnectError,
  connectSession,
  type ConnectSessionOptions,
  type RemoteSession,
} from "./lib/client/connect_session.ts";
export { type ClientEnvironment, type PredictMode } from "./lib/client/client_args.ts";
export { clientMain } from "./lib/client/client_main.ts";
export { ServerSession, type ServerSessionOptions } from "./lib/server/server_session.ts";
export type { AttachedClient, Host } from "./lib/server/host.ts";
export { PtyHost, type PtyHostOptions } from "./lib/server/pty_host.ts";
export { serverMain } from "./lib/server/server_main.ts";
export {
  BindError,
  type ServedSessionInfo,
  serveSession,
  type ServeSessionOptions,
  type SessionHandler,
} from "./lib/server/serve_session.ts";
export {
  ResizeEvent,
  ServedSession,
  SessionClosedError,
  StreamHost,
} from "./lib/server/stream_host.ts";
export { Pty } from "./lib/server/pty.ts";
export { wrapperMain } from "./lib/wrapper/wrapper_main.ts";
