// Steps the tests against the real server share: a server with users who may do anything, and
// a restore from a backup (the server's store going back in time under a new epoch).
import { copyFile, rm } from "node:fs/promises";
import { join } from "node:path";
import { TestServer } from "./server.mjs";

/** A started server (`env` adds SIMPLESYNC_* settings) whose ACL allows everything, with these users. */
export async function serverWithUsers(usernames, env = {}) {
  const server = await TestServer.start(env);
  await server.allowAll();
  for (const username of usernames) await server.newUser(username);
  return server;
}

/** Backs the server's store up into `name` in its directory; returns the file's path. */
export async function backUp(server, name) {
  const path = join(server.dir, name);
  await server.cli("backup", path);
  return path;
}

/** Stops the server, puts the backup in place of its store, and starts it again on the same port. */
export async function restoreBackup(server, backup) {
  await server.stop();
  await rm(`${server.dbPath}-wal`, { force: true });
  await rm(`${server.dbPath}-shm`, { force: true });
  await copyFile(backup, server.dbPath);
  await server.startAgain();
}
