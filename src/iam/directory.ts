/**
 * The one source of truth for principals in a serving process: cove.yaml's declarations (and
 * the AWS managed policies, and the generated admin) merged with what the IAM API stored. It
 * keeps the merged view current — a config reload, an API change by this process, or one by
 * another process seen at the next request — and rebuilds the credential store from it each
 * time, so that a key created through the API authenticates at once in every worker and a deleted
 * user's sessions end.
 */
import type { CredentialStore } from '../auth/identities.js';
import type { LoadedConfig } from '../config/load.js';
import { declaredRecords } from './declared.js';
import { buildPrincipals, PolicyCompiler } from './principals.js';
import { IamTables, type IamRecords } from './state.js';
import type { IamStore } from './store.js';

export interface IamDirectoryOptions {
  accountId: string;
  store: IamStore;
  credentials: CredentialStore;
  /** The generated admin user's key (no config file). */
  adminKey?: { accessKeyId: string; secretAccessKey: string };
  /** Where warnings go (a shadowed entity, a reference that no longer resolves). Never a secret. */
  log(line: string): void;
}

export class IamDirectory {
  private declared: IamRecords;
  private view: IamTables;
  private readonly compiler = new PolicyCompiler();
  /** Warnings already logged, so that each is logged once per appearance, not per rebuild. */
  private logged = new Set<string>();

  constructor(
    private readonly options: IamDirectoryOptions,
    loaded: LoadedConfig,
    nowMs: number,
  ) {
    this.declared = declaredRecords(loaded, nowMs, options.adminKey);
    this.view = this.rebuild();
  }

  /** The merged view, as of the last refresh. Read only: changes go through `update`. */
  get tables(): IamTables {
    return this.view;
  }

  get accountId(): string {
    return this.options.accountId;
  }

  /** A new cove.yaml: its declarations replace the old ones, in one step with the credentials. */
  applyConfig(loaded: LoadedConfig, nowMs: number): void {
    this.declared = declaredRecords(loaded, nowMs, this.options.adminKey);
    this.view = this.rebuild();
  }

  /** Once per request: sees another process's changes (one engine get when there are none). */
  refresh(): void | Promise<void> {
    const changed = this.options.store.refresh();
    if (changed instanceof Promise) return changed.then((c) => void (c && (this.view = this.rebuild())));
    if (changed) this.view = this.rebuild();
  }

  /**
   * A change through the API: `change` reads and edits the merged view built from the records as
   * the write transaction reads them, and may run more than once. Declared records are shared
   * between runs: a change never edits them (the operations' `mutable…` lookups refuse to).
   */
  async update<R>(change: (tables: IamTables) => R): Promise<R> {
    const result = await this.options.store.update((stored) => {
      const tables = IamTables.build(this.declared, stored);
      const changed = change(tables);
      return { records: tables.stored(), result: changed };
    });
    this.view = this.rebuild();
    return result;
  }

  /** A managed policy's default document, by ARN (session policies passed by ARN). */
  managedPolicyDocument(arn: string): unknown {
    const policy = this.view.shadowedPolicies.has(arn) ? undefined : this.view.policies.get(arn);
    if (policy === undefined) return undefined;
    return JSON.parse(policy.versions.find((v) => v.id === policy.defaultVersion)!.document);
  }

  private rebuild(): IamTables {
    const tables = IamTables.build(this.declared, this.options.store.current);
    const built = buildPrincipals(tables, this.options.accountId, this.compiler);
    this.options.credentials.replaceAll(built.credentials, built.roles, built.users);
    const warnings = new Set([...tables.warnings, ...built.warnings]);
    for (const warning of warnings) if (!this.logged.has(warning)) this.options.log(`cove: warning: ${warning}`);
    this.logged = warnings;
    return tables;
  }
}
