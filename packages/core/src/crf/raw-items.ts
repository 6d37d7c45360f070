// What a visit holds before anything is derived from it: the raw items as entered, one value and
// unit each. Its own module so the scorers that read items (derive.ts, derive-bilag2004.ts) share
// the type without importing each other.

export interface RawItem {
  value: string | null;
  unit: string | null;
}

/** formCode → itemCode → value: everything entered at one visit. */
export type VisitItems = Readonly<Record<string, Readonly<Record<string, RawItem>>>>;
