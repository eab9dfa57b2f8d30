// The supervisord version we are compatible with: supervisorctl and tools compare against it.
export const SUPERVISOR_VERSION = '4.2.5';
/** supervisord's XML-RPC API version; supervisorctl refuses a server that reports another. */
export const API_VERSION = '3.0';
