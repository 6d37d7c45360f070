import type { FormReview } from '../api/types.js';
import { t } from '../i18n/index.js';
import { whenText } from './query-thread.js';

/**
 * Per-item source verification beside the field (issue #21): "Source verified" (who, when) for an item
 * a monitor verified on its own, "Source verification cleared" once its value changed after that;
 * nothing for an item never verified on its own (the form's review block has the whole list).
 */
export function ItemSdvMarker({ review, itemCode }: { review: FormReview | undefined; itemCode: string }) {
  const v = review?.items.find((i) => i.itemCode === itemCode);
  if (!v) return null;
  return v.verifiedAt ? (
    <span className="badge sdv-done item-sdv" data-testid={`sdv-marker-${itemCode}`}>
      {t('itemSdvMarker.verified', {
        name: v.verifiedByName ?? t('itemSdvMarker.aMonitor'),
        when: whenText(v.verifiedAt),
      })}
    </span>
  ) : (
    <span className="badge sdv-due item-sdv" data-testid={`sdv-marker-${itemCode}`}>
      {t('itemSdvMarker.cleared')}
    </span>
  );
}
