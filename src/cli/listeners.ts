import { splitHostPort } from '../config/load.js';
import type { Pipeline } from '../pipeline.js';
import type { ServiceRegistry } from '../service.js';
import { HttpListener } from '../server/http.js';
import type { HttpSettings } from '../server/limits.js';
import { listenerKey, tlsSettingsOf, type ListenerTransport, type TlsPlaces } from './configured.js';

export interface BoundAddress {
  name: string;
  host: string;
  port: number;
  /** HTTPS. */
  secure: boolean;
}

/**
 * A serving process's HTTP listeners: the configured ones, which live as long as
 * the process, and one per attachment that has `listen:`, which reloads retire
 * and start.
 */
export class ServingListeners {
  /** Every listener's bound address, in the order bound; a retired listener's leaves once it has closed. */
  readonly addresses: BoundAddress[] = [];
  private readonly configured: HttpListener[] = [];
  /** Attachment listeners by attachment name, with the address each was started on. */
  private readonly attachments = new Map<string, { key: string; http: HttpListener }>();

  constructor(
    private readonly pipeline: Pipeline,
    private readonly services: ServiceRegistry,
    private readonly region: string,
    private readonly settings: HttpSettings,
    private readonly onListening: (address: BoundAddress) => void,
    private readonly tlsPlaces: TlsPlaces,
    private readonly log: (line: string) => void,
  ) {}

  async startConfigured(name: string, listen: string, transport: ListenerTransport, portOverride?: number): Promise<void> {
    this.configured.push(await this.start(name, listen, transport, portOverride));
  }

  async startAttachment(name: string, listen: string, transport: ListenerTransport): Promise<void> {
    this.attachments.set(name, { key: listenerKey(listen, transport), http: await this.start(name, listen, transport) });
  }

  /** Attachment name → the key (listenerKey: address and transport) its listener was started with. */
  attachmentAddresses(): Map<string, string> {
    return new Map([...this.attachments].map(([name, { key }]) => [name, key]));
  }

  /**
   * Takes the named attachment listeners out of the set, synchronously (a reload's
   * swap must not await); they still accept until `closeRetired` closes them.
   */
  takeAttachments(names: readonly string[]): HttpListener[] {
    const taken: HttpListener[] = [];
    for (const name of names) {
      const attachment = this.attachments.get(name);
      if (!attachment) continue;
      taken.push(attachment.http);
      this.attachments.delete(name);
    }
    return taken;
  }

  /** Closes listeners taken out by `takeAttachments`, then forgets their addresses. */
  async closeRetired(retired: readonly HttpListener[]): Promise<void> {
    await Promise.all(retired.map((http) => http.close()));
    for (const http of retired) {
      const index = this.addresses.findIndex((a) => a.name === http.name);
      if (index >= 0) this.addresses.splice(index, 1);
    }
  }

  async closeAll(): Promise<void> {
    await Promise.all([...this.configured, ...[...this.attachments.values()].map((a) => a.http)].map((l) => l.close()));
  }

  private async start(name: string, listen: string, transport: ListenerTransport, portOverride?: number): Promise<HttpListener> {
    const { host, port } = splitHostPort(listen);
    const tls = transport.tls ? tlsSettingsOf(this.tlsPlaces, name, listen, transport.tls) : undefined;
    const config = { name, host, port: portOverride ?? port, ...(tls ? { tls } : {}), ...(transport.proxyProtocol ? { proxyProtocol: transport.proxyProtocol } : {}) };
    const http = new HttpListener(config, this.pipeline, this.services, this.region, { settings: this.settings, log: this.log });
    const address = { name, ...(await http.listen()), secure: tls !== undefined };
    this.addresses.push(address);
    this.onListening(address);
    return http;
  }
}
