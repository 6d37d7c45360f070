// Hand-built ODM 1.3.2 files shaped like other systems' exports (issue #23): OpenClinica 3-style OIDs
// (SE_…, F_…, IG_…, I_…), repeats carried by StudyEventRepeatKey, FormRepeatKey and
// ItemGroupRepeatKey (ODM 1.3.2 §3.1.4: StudyEventData, FormData, ItemGroupData), typed values
// (ItemDataString, ItemDataFloat, … the ItemDataStarGroup of ODM1-3-2-foundation.xsd), a Location in
// AdminData with SiteRef, and a form of another system called AE. Small on purpose: each test states
// its structure in the body it passes.

/** ItemOID → form.item and StudyEventOID → visit for these files. */
export const FOREIGN_OID_MAP: Record<string, string> = {
  SE_SCR: 'SCR',
  SE_M6: 'M6',
  SE_M9: 'M9',
  SE_M12: 'M12',
  SE_UNS: 'UNSCHEDULED',
  I_C3: 'labs.c3',
  I_RENAL: 'bilag.renal',
  I_GENERAL: 'bilag.general',
  I_WDR: 'end-of-study.withdrawal_reason',
};

/** One ODM file with one SubjectData; `encoding` only writes the declaration (the caller encodes). */
export function foreignOdm(
  subjectKey: string,
  events: string,
  opts: { encoding?: string; siteRef?: string; adminLocation?: { oid: string; name: string } } = {},
): string {
  const decl = `<?xml version="1.0" encoding="${opts.encoding ?? 'UTF-8'}"?>`;
  const admin = opts.adminLocation
    ? `\n  <AdminData><Location OID="${opts.adminLocation.oid}" Name="${opts.adminLocation.name}" LocationType="Site"><MetaDataVersionRef StudyOID="S_OC" MetaDataVersionOID="v1" EffectiveDate="2024-01-01"/></Location></AdminData>`
    : '';
  const site = opts.siteRef ? `<SiteRef LocationOID="${opts.siteRef}"/>` : '';
  return `${decl}
<ODM xmlns="http://www.cdisc.org/ns/odm/v1.3" ODMVersion="1.3.2" FileType="Snapshot" FileOID="OC-1" CreationDateTime="2024-06-01T00:00:00">
  <Study OID="S_OC"><GlobalVariables><StudyName>x</StudyName><StudyDescription>x</StudyDescription><ProtocolName>x</ProtocolName></GlobalVariables>
    <BasicDefinitions><MeasurementUnit OID="MU_GL" Name="g/L"><Symbol><TranslatedText>g/L</TranslatedText></Symbol></MeasurementUnit></BasicDefinitions>
  </Study>${admin}
  <ClinicalData StudyOID="S_OC" MetaDataVersionOID="v1">
    <SubjectData SubjectKey="${subjectKey}">${site}${events}
    </SubjectData>
  </ClinicalData>
</ODM>
`;
}

/** One StudyEventData with one FormData and one ItemGroupData, repeat keys as given. */
export function eventWith(
  event: string,
  form: string,
  group: string,
  items: string,
  keys: { event?: string; form?: string; group?: string } = {},
): string {
  const k = (name: string, v: string | undefined) => (v === undefined ? '' : ` ${name}="${v}"`);
  return `
      <StudyEventData StudyEventOID="${event}"${k('StudyEventRepeatKey', keys.event)}>
        <FormData FormOID="${form}"${k('FormRepeatKey', keys.form)}><ItemGroupData ItemGroupOID="${group}"${k('ItemGroupRepeatKey', keys.group)}>
          ${items}
        </ItemGroupData></FormData>
      </StudyEventData>`;
}

/** An ItemData with its value (and unit). */
export const item = (oid: string, value: string, unit?: string) =>
  unit
    ? `<ItemData ItemOID="${oid}" Value="${value}"><MeasurementUnitRef MeasurementUnitOID="${unit}"/></ItemData>`
    : `<ItemData ItemOID="${oid}" Value="${value}"/>`;

/** Bytes of `text` in an encoding Node's Buffer knows, with a byte order mark when asked. */
export function encoded(text: string, encoding: 'latin1' | 'utf16le' | 'utf16be', bom = false): Buffer {
  if (encoding === 'utf16be') {
    const le = Buffer.from((bom ? '\ufeff' : '') + text, 'utf16le');
    for (let i = 0; i + 1 < le.length; i += 2) [le[i], le[i + 1]] = [le[i + 1]!, le[i]!];
    return le;
  }
  return Buffer.from((bom ? '\ufeff' : '') + text, encoding);
}
