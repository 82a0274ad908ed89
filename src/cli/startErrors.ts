/** A start-up condition cove refuses to serve under; its message is the whole explanation. */
export class StartRefusal extends Error {}

/**
 * The one line `cove serve` prints for a fault of its start-up environment (exit code 2, no
 * stack trace): a file it cannot read, a data directory it cannot use, a port it cannot bind.
 * Undefined for anything else, which is cove's own fault and keeps its stack.
 */
export function startErrorLine(error: unknown): string | undefined {
  if (error instanceof StartRefusal) return `cove: ${error.message}`;
  if (!(error instanceof Error)) return undefined;
  const failure = error as NodeJS.ErrnoException & { address?: string; port?: number };
  const code = failure.code;
  if (code === 'EADDRINUSE' || code === 'EADDRNOTAVAIL' || (code === 'EACCES' && failure.syscall === 'listen')) return listenLine(failure);
  const path = failure.path;
  if (path === undefined) return undefined;
  switch (code) {
    case 'ENOENT':
      return failure.syscall === 'open' ? `cove: cannot read ${path}: no such file` : `cove: ${path}: no such file or directory`;
    case 'EISDIR':
      return `cove: cannot read ${path}: it is a directory`;
    case 'EEXIST':
    case 'ENOTDIR':
      return `cove: cannot use ${path} as a data directory: it is a file (choose another with --data DIR)`;
    case 'EACCES':
    case 'EPERM':
    case 'EROFS':
      return `cove: cannot ${failure.syscall === 'open' && !path.endsWith('credentials') ? 'read' : 'write'} ${path}: permission denied (choose another data directory with --data DIR)`;
    default:
      return undefined;
  }
}

function listenLine(failure: NodeJS.ErrnoException & { address?: string; port?: number }): string {
  const where = failure.address !== undefined ? ` on ${failure.address.includes(':') ? `[${failure.address}]` : failure.address}:${failure.port}` : '';
  if (failure.code === 'EADDRINUSE') return `cove: cannot listen${where}: the address is in use (another cove?); choose another port with --port N (0: any free port), or listen: in cove.yaml`;
  if (failure.code === 'EADDRNOTAVAIL') return `cove: cannot listen${where}: no interface of this machine has that address; choose another with --host ADDRESS, or listen: in cove.yaml`;
  return `cove: cannot listen${where}: permission denied (ports below 1024 need privileges); choose another port with --port N`;
}
