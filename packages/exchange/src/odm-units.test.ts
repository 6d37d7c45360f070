// One unit rule for a foreign ODM study's definition and its data (issue #23): the definition
// conversion and the data reader name a MeasurementUnit alike (odm-reader.ts measurementUnitName)
// and treat an item's units alike (odm-units.ts itemUnitRule).
import { describe, expect, it } from 'vitest';
import { convertOdmMetadata } from './odm-definition.js';
import { readOdm } from './odm-reader.js';
import { itemUnitRule } from './odm-units.js';

// Another system's file whose MeasurementUnit has a Name that differs from its Symbol.
const xml = `<?xml version="1.0" encoding="UTF-8"?>
<ODM xmlns="http://www.cdisc.org/ns/odm/v1.3" ODMVersion="1.3.2" FileOID="f" FileType="Snapshot" CreationDateTime="2024-01-01T00:00:00">
  <Study OID="S">
    <GlobalVariables><StudyName>S</StudyName><StudyDescription>S</StudyDescription><ProtocolName>S</ProtocolName></GlobalVariables>
    <BasicDefinitions>
      <MeasurementUnit OID="MU_MMHG" Name="millimetre of mercury"><Symbol><TranslatedText xml:lang="de">mm Hg</TranslatedText><TranslatedText xml:lang="en">mmHg</TranslatedText></Symbol></MeasurementUnit>
      <MeasurementUnit OID="MU_KG" Name="kg"/>
    </BasicDefinitions>
    <MetaDataVersion OID="V1" Name="V1">
      <Protocol><StudyEventRef StudyEventOID="SE_V1" Mandatory="Yes"/></Protocol>
      <StudyEventDef OID="SE_V1" Name="Visit 1" Repeating="No" Type="Scheduled"><FormRef FormOID="F_VS" Mandatory="No"/></StudyEventDef>
      <FormDef OID="F_VS" Name="Vital signs" Repeating="No"><ItemGroupRef ItemGroupOID="IG_VS" Mandatory="No"/></FormDef>
      <ItemGroupDef OID="IG_VS" Name="VS" Repeating="No">
        <ItemRef ItemOID="I_SBP" Mandatory="No"/><ItemRef ItemOID="I_WT" Mandatory="No"/>
      </ItemGroupDef>
      <ItemDef OID="I_SBP" Name="SBP" DataType="integer"><MeasurementUnitRef MeasurementUnitOID="MU_MMHG"/></ItemDef>
      <ItemDef OID="I_WT" Name="WT" DataType="float"><MeasurementUnitRef MeasurementUnitOID="MU_KG"/></ItemDef>
    </MetaDataVersion>
  </Study>
</ODM>`;

describe('one unit rule for definition and data', () => {
  it('names a unit by its Symbol (English first), else its Name, in the definition and in the data reader alike', async () => {
    const conversion = await convertOdmMetadata({ file: xml });
    const items = (conversion.definition.forms as { items: { code: string; units?: string[] }[] }[])[0]!
      .items;
    expect(items.map((i) => [i.code, i.units])).toEqual([
      ['SBP', ['mmHg']],
      ['WT', ['kg']],
    ]);
    const units = new Map<string, string>();
    await readOdm(
      (async function* () {
        yield xml;
      })(),
      { onSubject: async () => {}, units, locations: new Map() },
    );
    // Before, the reader named MU_MMHG "millimetre of mercury": every value was unit-invalid.
    expect(Object.fromEntries(units)).toEqual({ MU_MMHG: 'mmHg', MU_KG: 'kg' });
  });

  it('keeps the units of a numeric item and drops those of any other, saying why', () => {
    expect(itemUnitRule('decimal', ['kg', 'kg', 'lb'])).toEqual({ keep: ['kg', 'lb'] });
    for (const type of ['text', 'date', 'code', 'boolean'] as const) {
      const r = itemUnitRule(type, ['Hg']);
      expect(r).toMatchObject({ drop: ['Hg'] });
      expect('why' in r && r.why).toContain(`this item is ${type}`);
    }
  });
});
