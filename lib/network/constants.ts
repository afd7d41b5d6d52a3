/**
 * SSP timing constants of mosh 1.4.0 (milliseconds unless noted).
 *
 * @module
 */

/** Fastest frame spacing. */
export const SEND_INTERVAL_MIN = 20;
/** Slowest frame spacing. */
export const SEND_INTERVAL_MAX = 250;
/** An (empty) instruction goes out at least this often: the heartbeat. */
export const ACK_INTERVAL = 3000;
/** Longest wait before acknowledging received data; also slack added to the RTO. */
export const ACK_DELAY = 100;
/** Server: collect further changes this long after the first before sending. */
export const SEND_MINDELAY_SERVER = 8;
/** Client: same, shorter so keystrokes leave at once. */
export const SEND_MINDELAY_CLIENT = 1;
/** Keep retrying at frame rate only while the peer sent a state this recently; also the shutdown give-up time. */
export const ACTIVE_RETRY_TIMEOUT = 10_000;
/** Shutdown instructions sent before giving up. */
export const SHUTDOWN_RETRIES = 16;
/** Sent-state list cap. */
export const MAX_SENT_STATES = 32;
/** Received-state list cap before quenching. */
export const MAX_RECEIVED_STATES = 1024;
/** How long a quench lasts. */
export const QUENCH_INTERVAL = 15_000;
/** RTO bounds. */
export const MIN_RTO = 50;
export const MAX_RTO = 1000;
/** RTT samples at or above this are ignored. */
export const RTT_SAMPLE_CAP = 5000;
/** A received timestamp is echoed only within this time. */
export const TIMESTAMP_ECHO_VALIDITY = 1000;
/** Server forgets the client's address after this silence. */
export const SERVER_ASSOCIATION_TIMEOUT = 40_000;
/** Client hops to a new port after this long without a round trip. */
export const PORT_HOP_INTERVAL = 10_000;
/** Client keeps at most this many sockets. */
export const MAX_PORTS_OPEN = 10;
/** Client closes old sockets once the newest has lasted this long. */
export const MAX_OLD_SOCKET_AGE = 60_000;
