import { createContext, useCallback, useContext, useEffect, useRef, useState } from 'react';
import type { ReactNode } from 'react';

export interface ConfirmRequest {
  title: string;
  body: ReactNode;
  okLabel: string;
  /**
   * The button that leaves things as they are (default "Cancel"). A dialog whose action is itself a cancel says
   * what this one keeps ("Keep order"): a "Cancel" beside "Cancel order" reads as doing the cancel.
   */
  cancelLabel?: string;
  /** Red OK button: the action is hard to undo. */
  danger?: boolean;
}

type Ask = (req: ConfirmRequest) => Promise<boolean>;

const ConfirmContext = createContext<Ask>(() => Promise.resolve(false));

/** Asks the trader to confirm in a modal; resolves true on OK, false on Cancel or Esc. */
export function useConfirm(): Ask {
  return useContext(ConfirmContext);
}

export function ConfirmProvider({ children }: { children: ReactNode }) {
  const [pending, setPending] = useState<(ConfirmRequest & { resolve: (ok: boolean) => void }) | null>(null);
  const ask = useCallback<Ask>(
    (req) =>
      new Promise<boolean>((resolve) => {
        setPending((prev) => {
          prev?.resolve(false);
          return { ...req, resolve };
        });
      }),
    [],
  );
  const answer = (ok: boolean): void => {
    pending?.resolve(ok);
    setPending(null);
  };
  return (
    <ConfirmContext.Provider value={ask}>
      {children}
      {pending ? <ConfirmDialog req={pending} onAnswer={answer} /> : null}
    </ConfirmContext.Provider>
  );
}

/** The modal itself (exported for tests: it renders without a provider). */
export function ConfirmDialog({ req, onAnswer }: { req: ConfirmRequest; onAnswer: (ok: boolean) => void }) {
  const cancelRef = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    // The safe answer has the focus: a stray Enter cancels.
    cancelRef.current?.focus();
  }, []);
  return (
    <div className="modal-backdrop" onMouseDown={() => onAnswer(false)}>
      <div
        className="modal"
        role="dialog"
        aria-modal="true"
        aria-labelledby="confirm-title"
        data-testid="confirm-dialog"
        onMouseDown={(e) => e.stopPropagation()}
        onKeyDown={(e) => {
          if (e.key === 'Escape') {
            e.stopPropagation();
            onAnswer(false);
          }
        }}
      >
        <div className="modal-title" id="confirm-title">
          {req.title}
        </div>
        <div className="modal-body">{req.body}</div>
        <div className="modal-actions">
          <button ref={cancelRef} type="button" className="btn" data-testid="confirm-cancel" onClick={() => onAnswer(false)}>
            {req.cancelLabel ?? 'Cancel'}
          </button>
          <button
            type="button"
            className={`btn ${req.danger ? 'btn-danger' : 'btn-primary'}`}
            data-testid="confirm-ok"
            onClick={() => onAnswer(true)}
          >
            {req.okLabel}
          </button>
        </div>
      </div>
    </div>
  );
}
