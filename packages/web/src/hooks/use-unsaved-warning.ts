// Warn before leaving a form with unsaved changes: on closing or reloading the tab (beforeunload)
// and on in-app navigation (the router asks).
import { useEffect, useState } from 'react';
import { markDirty } from '../router.js';

export function useUnsavedWarning(dirty: boolean) {
  const [key] = useState(() => Symbol('form'));
  useEffect(() => {
    if (!dirty) return;
    const onBeforeUnload = (e: BeforeUnloadEvent) => {
      e.preventDefault();
      e.returnValue = '';
    };
    window.addEventListener('beforeunload', onBeforeUnload);
    markDirty(key, true);
    return () => {
      window.removeEventListener('beforeunload', onBeforeUnload);
      markDirty(key, false);
    };
  }, [dirty, key]);
}
