import { AwsError } from '../../errors.js';
import type { Protocol, WireRequest } from '../../service.js';

/**
 * AWS's Query protocol (STS, IAM, EC2): the operation and its parameters as form fields
 * (`Action=GetCallerIdentity&Version=2011-06-15`) in a POST body, or in the query string of a GET
 * (presigned STS calls), and XML answers: `<OpResponse><OpResult>…</OpResult><ResponseMetadata>`,
 * errors as `<ErrorResponse><Error><Type>Sender</Type><Code>…`.
 *
 * Every Query service shares one host name here, so a request is recognized as this service's by
 * its `Version` (each service has its own), or, without one, by its SigV4 scope's service.
 */
export interface QueryProtocolOptions {
  /** The service's API version, which requests carry as `Version`. */
  apiVersion: string;
  /** The SigV4 scope's service (`sts`). */
  signingName: string;
  /** The XML namespace of answers (`https://sts.amazonaws.com/doc/2011-06-15/`). */
  xmlNamespace: string;
}

/** A request's form fields: the POST body's, or a GET's query string. Parsed once per request. */
const parsedParameters = new WeakMap<WireRequest['raw'], URLSearchParams>();

export function queryParameters(raw: WireRequest['raw']): URLSearchParams {
  let parameters = parsedParameters.get(raw);
  if (parameters === undefined) {
    const queryStart = raw.url.indexOf('?');
    const query = queryStart === -1 ? '' : raw.url.slice(queryStart + 1);
    parameters = new URLSearchParams(raw.method === 'GET' ? query : isForm(raw) ? raw.body.toString('utf8') : '');
    parsedParameters.set(raw, parameters);
  }
  return parameters;
}

function isForm(raw: WireRequest['raw']): boolean {
  for (let i = 0; i + 1 < raw.rawHeaders.length; i += 2) {
    if (raw.rawHeaders[i].toLowerCase() === 'content-type') return raw.rawHeaders[i + 1].toLowerCase().startsWith('application/x-www-form-urlencoded');
  }
  return false;
}

/** The SigV4 scope's service, read from the Authorization header or the presigned X-Amz-Credential. */
function scopeService(raw: WireRequest['raw'], parameters: URLSearchParams): string | undefined {
  let credential = parameters.get('X-Amz-Credential') ?? undefined;
  if (credential === undefined) {
    for (let i = 0; i + 1 < raw.rawHeaders.length; i += 2) {
      if (raw.rawHeaders[i].toLowerCase() === 'authorization') credential = /Credential=([^,\s]+)/.exec(raw.rawHeaders[i + 1])?.[1];
    }
  }
  return credential?.split('/')[3];
}

/**
 * The coral framework's authentication and dispatch errors, as a Query service names them on the
 * wire (its own code and status; the message is the same).
 */
const QUERY_ERRORS: ReadonlyMap<string, { code: string; statusCode: number }> = new Map([
  ['UnrecognizedClientException', { code: 'InvalidClientTokenId', statusCode: 403 }],
  ['InvalidSignatureException', { code: 'SignatureDoesNotMatch', statusCode: 403 }],
  ['IncompleteSignatureException', { code: 'IncompleteSignature', statusCode: 400 }],
  ['MissingAuthenticationTokenException', { code: 'MissingAuthenticationToken', statusCode: 403 }],
  ['AccessDeniedException', { code: 'AccessDenied', statusCode: 403 }],
  ['ExpiredTokenException', { code: 'ExpiredToken', statusCode: 403 }],
  ['UnknownOperationException', { code: 'InvalidAction', statusCode: 400 }],
  ['SerializationException', { code: 'MalformedQueryString', statusCode: 400 }],
]);

const XML_ESCAPES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;' };

/** Text content as XML: only what text cannot hold is escaped (answers have no attributes of the user's). */
export function xmlEscape(text: string): string {
  return text.replace(/[&<>]/g, (c) => XML_ESCAPES[c]);
}

/**
 * A result as XML elements, in the order of its keys: a list's elements are `<member>`s, an
 * object's keys nested elements, a Date its ISO 8601 time, undefined nothing.
 */
export function xmlElements(value: Record<string, unknown>): string {
  let out = '';
  for (const key of Object.keys(value)) {
    const member = value[key];
    if (member === undefined || member === null) continue;
    out += `<${key}>${xmlValue(member)}</${key}>`;
  }
  return out;
}

function xmlValue(value: unknown): string {
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map((element) => `<member>${xmlValue(element)}</member>`).join('');
  if (typeof value === 'object' && value !== null) return xmlElements(value as Record<string, unknown>);
  return xmlEscape(String(value));
}

export function awsQueryProtocol(options: QueryProtocolOptions): Protocol {
  const xmlns = `xmlns="${options.xmlNamespace}"`;
  return {
    operationName(request) {
      const parameters = queryParameters(request.raw);
      const action = parameters.get('Action');
      if (action === null) return undefined;
      const version = parameters.get('Version');
      if (version === options.apiVersion || (version === null && scopeService(request.raw, parameters) === options.signingName)) return action;
      return undefined;
    },
    contentType: 'text/xml',
    serializeResult(result, { operationName, requestId }) {
      const metadata = `<ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata>`;
      return `<${operationName}Response ${xmlns}><${operationName}Result>${xmlElements(result)}</${operationName}Result>${metadata}</${operationName}Response>\n`;
    },
    serializeError(error, requestId) {
      const type = error.statusCode >= 500 ? 'Receiver' : 'Sender';
      const message = error.message ? `<Message>${xmlEscape(error.message)}</Message>` : '';
      return `<ErrorResponse ${xmlns}><Error><Type>${type}</Type><Code>${error.code}</Code>${message}</Error><RequestId>${requestId}</RequestId></ErrorResponse>\n`;
    },
    wireError(error) {
      const renamed = QUERY_ERRORS.get(error.code);
      return renamed ? new AwsError(error.namespace, renamed.code, error.message, renamed.statusCode, error.messageKey, error.extra) : error;
    },
    sendsCrc32: false,
  };
}
