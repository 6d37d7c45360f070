// Which earlier visit is "the previous assessment" for BILAG-2004's renal change rules
// (instruments.md §2.2.3: creatinine risen to ≥ 130 % / ≥ 115 % of previous, proteinuria not
// decreased by ≥ 25 %, GFR fallen below 67 % of previous, …): the latest visit of the same subject
// before this one that has a BILAG-2004 form with at least one value. "Before" is by visit date;
// a visit without a date counts by its place in the subject's visit list (cycle, date, creation).

export interface AssessedVisitRef {
  id: string;
  visitDate: string | null;
  /** Whether the visit has a BILAG-2004 form holding at least one value. */
  hasAssessment: boolean;
}

/** The previous assessment of `currentId` among `visits` (in the subject's list order), if any. */
export function previousAssessment(
  visits: readonly AssessedVisitRef[],
  currentId: string,
): AssessedVisitRef | undefined {
  const at = visits.findIndex((v) => v.id === currentId);
  if (at < 0) return undefined;
  const current = visits[at]!;
  const before = (v: AssessedVisitRef, i: number) =>
    v.id !== currentId && (current.visitDate && v.visitDate ? v.visitDate < current.visitDate : i < at);
  let best: { v: AssessedVisitRef; i: number } | undefined;
  visits.forEach((v, i) => {
    if (!v.hasAssessment || !before(v, i)) return;
    const later =
      !best ||
      (v.visitDate && best.v.visitDate
        ? v.visitDate > best.v.visitDate || (v.visitDate === best.v.visitDate && i > best.i)
        : i > best.i);
    if (later) best = { v, i };
  });
  return best?.v;
}
