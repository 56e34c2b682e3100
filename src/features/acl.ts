/*
 * ACL feature: gives the server its users (src/acl) and plugs them into the
 * dispatcher's hooks: permission checks before every command, AUTH/HELLO
 * passwords, "must new clients authenticate", CLIENT KILL USER. Users come
 * from `user` lines of the config file or from the aclfile (not both), and
 * requirepass sets the default user's password.
 */

import type { Server } from '../server/server';
import type { Client } from '../server/client';
import type { CommandDef } from '../commands/types';
import { Acl } from '../acl/acl';

export function attach(server: Server): void {
  const acl = new Acl(server);
  server.ext.acl = acl;
  server.ext.aclCheck = (c: Client, cmd: CommandDef, args: string[]) => acl.check(c, cmd, args);
  server.ext.aclAllowed = (c: Client, cmd: CommandDef, args: string[]) => {
    const u = acl.users.get(c.user);
    return u === undefined || acl.checkUser(u, cmd, args) === null;
  };
  server.ext.aclAuthenticate = (user: string, pass: string) => acl.authenticate(user, pass);
  server.ext.aclAuthRequired = () => acl.authRequired();
  server.ext.aclUserExists = (name: string) => acl.users.has(name);
  server.ext.aclDefaultNopass = () => acl.users.get('default')?.nopass === true;
  server.ext.aclCanReadAllKeys = (c: Client) => {
    const u = acl.users.get(c.user);
    return u === undefined || acl.canReadAllKeys(u);
  };
  for (const k of ['aclDeniedAuth', 'aclDeniedCmd', 'aclDeniedKey', 'aclDeniedChannel']) server.ext[k] ??= 0;

  const cfg = server.config;
  if (cfg.get('requirepass') !== '') acl.setRequirepass(cfg.get('requirepass'));
  cfg.onChange('requirepass', (v) => {
    acl.setRequirepass(v);
    return undefined;
  });

  // CONFIG REWRITE writes the users as `user` lines, unless they live in an aclfile.
  cfg.rewriters.set('user', () => (cfg.get('aclfile') !== '' ? [] : acl.listLines()));

  const lines = cfg.directives.filter((d) => d[0].toLowerCase() === 'user');
  if (lines.length > 0 && cfg.get('aclfile') !== '') {
    throw new Error(
      'Configuring Redis with users defined in redis.conf and at the same setting an ACL file path is invalid. This setup is very likely to lead to configuration errors and security holes, please define either an ACL file or declare users directly in your redis.conf, but not both.',
    );
  }
  if (lines.length > 0) {
    const users = acl.parseUserLines(
      lines.map((words, i) => ({ words: ['user', ...words.slice(1)], line: i + 1 })),
      (n) => `user directive ${n}`,
    );
    if (Array.isArray(users)) {
      const dup = users.find((e) => e.includes('Duplicate user'));
      throw new Error(dup ? 'Duplicate user found. A user can only be defined once in config files' : users.join(''));
    }
    for (const [name, u] of users) acl.users.set(name, u);
    acl.refresh();
  } else if (cfg.get('aclfile') !== '') {
    const err = acl.loadFile(null);
    if (err !== null) throw new Error(`Aborting Redis startup because of ACL errors: ${err}`);
  }
}
