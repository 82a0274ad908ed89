/**
 * Preloaded into every server the benchmark starts (`node --import …/guard.js`): when the
 * orchestrator's end of our stdin pipe closes — it exited, or was killed with SIGKILL and could
 * not clean up — this process ends too, so no server outlives a benchmark. It costs the server
 * one idle pipe.
 */
process.stdin.on('end', () => process.exit(0));
process.stdin.on('error', () => process.exit(0));
process.stdin.resume();
export {};
