export { createConsoleTransport, consoleOptionNames, NAME, type ConsoleTransportOptions } from './console-transport.js';
export { consoleFormats, type ConsoleFormat } from './format.js';
