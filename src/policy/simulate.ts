import { z } from 'zod';
import { contextFromRecord, contextToRecord } from './conditionContext.js';
import { compilePolicy, PolicyDocumentError, type CompiledPolicy, type PolicyKind } from './document.js';
import { evaluateAuthorization, type AuthorizationResult, type SetEvaluation } from './evaluate.js';
import { principalFromArn } from './principals.js';

/**
 * One simulation case, the IAM policy simulator offline: the same engine the
 * server runs, fed a hypothetical request and the policies that bear on it.
 * The shape follows @cloud-copilot/iam-simulate's, so cases move between them.
 */
const namedPolicy = z.strictObject({ name: z.string().min(1), policy: z.unknown() });
const contextValue = z.union([z.string(), z.array(z.string())]);

export const simulationCaseSchema = z.strictObject({
  request: z.strictObject({
    principal: z.string().min(1),
    action: z.string().regex(/^[A-Za-z0-9-]+:[A-Za-z0-9]+$/, { error: 'expected service:Action, e.g. dynamodb:GetItem' }),
    resource: z.strictObject({ resource: z.string().min(1), accountId: z.string().regex(/^\d{12}$/).optional() }),
    contextVariables: z.record(z.string(), contextValue).default({}),
  }),
  identityPolicies: z.array(namedPolicy).default([]),
  permissionBoundaries: z.array(namedPolicy).optional(),
  /** iam-simulate's name for permissionBoundaries. */
  permissionBoundaryPolicies: z.array(namedPolicy).optional(),
  sessionPolicy: z.unknown().optional(),
  vpcEndpointPolicies: z.array(namedPolicy).optional(),
  /** iam-simulate requires these; cove models one account outside AWS Organizations, so only empty lists are accepted. */
  serviceControlPolicies: z.array(z.unknown()).max(0, { error: 'service control policies are not modelled (cove has no AWS Organizations); pass []' }).optional(),
  resourceControlPolicies: z.array(z.unknown()).max(0, { error: 'resource control policies are not modelled (cove has no AWS Organizations); pass []' }).optional(),
});

export type SimulationCase = z.input<typeof simulationCaseSchema>;

export interface SimulationResult {
  result: AuthorizationResult;
  /** The policy kinds that blocked the request, and the deciding policy for an explicit deny. */
  blockedBy: string[];
  /** The AccessDenied message the server would send, when denied. */
  deniedBy?: PolicyKind;
  deciding?: { policy: string; kind: PolicyKind; statementIndex: number; sid?: string };
  context: Record<string, unknown>;
  trace: SetEvaluation[];
}

export class SimulationInputError extends Error {}

function compileNamed(kind: PolicyKind, list: readonly { name: string; policy?: unknown }[], where: string): CompiledPolicy[] {
  return list.map((entry, i) => {
    try {
      return compilePolicy(entry.name, entry.policy, kind);
    } catch (error) {
      if (error instanceof PolicyDocumentError) throw new SimulationInputError(`${where}[${i}] (${entry.name}): ${error.message}`);
      throw error;
    }
  });
}

/** Validates and evaluates one case; faults in the case throw SimulationInputError. */
export function simulate(input: unknown): SimulationResult {
  const parsed = simulationCaseSchema.safeParse(input);
  if (!parsed.success) {
    throw new SimulationInputError(parsed.error.issues.map((issue) => `${issue.path.join('.') || '(case)'}: ${issue.message}`).join('; '));
  }
  const simulation = parsed.data;
  let principal;
  try {
    principal = principalFromArn(simulation.request.principal);
  } catch (error) {
    throw new SimulationInputError(`request.principal: ${(error as Error).message}`);
  }
  const boundaries = simulation.permissionBoundaries ?? simulation.permissionBoundaryPolicies;
  const sets = {
    identity: compileNamed('identity', simulation.identityPolicies, 'identityPolicies'),
    ...(boundaries ? { permissionsBoundary: compileNamed('permissionsBoundary', boundaries, 'permissionBoundaries') } : {}),
    ...(simulation.sessionPolicy !== undefined ? { session: compileNamed('session', [{ name: 'session', policy: simulation.sessionPolicy }], 'sessionPolicy') } : {}),
    ...(simulation.vpcEndpointPolicies ? { vpcEndpoint: compileNamed('vpcEndpoint', simulation.vpcEndpointPolicies, 'vpcEndpointPolicies') } : {}),
  };
  const context = contextFromRecord(simulation.request.contextVariables);
  const decision = evaluateAuthorization(sets, { action: simulation.request.action, resource: simulation.request.resource.resource, principal, context }, true);
  return {
    result: decision.result,
    blockedBy: decision.blockedBy,
    ...(decision.deniedBy ? { deniedBy: decision.deniedBy } : {}),
    ...(decision.deciding ? { deciding: decision.deciding } : {}),
    context: contextToRecord(context),
    trace: decision.sets,
  };
}
