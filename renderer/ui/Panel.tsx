import type { ReactNode } from 'react';

/** A titled panel of the trading screen: header with tools on the right, a body that fills the rest. */
export function Panel({
  title,
  tools,
  footer,
  children,
  testid,
  className,
}: {
  title: ReactNode;
  tools?: ReactNode;
  footer?: ReactNode;
  children: ReactNode;
  testid?: string;
  className?: string;
}) {
  return (
    <section className={`panel ${className ?? ''}`} data-testid={testid}>
      <div className="panel-head">
        <h2 className="panel-title">{title}</h2>
        <div className="panel-tools">{tools}</div>
      </div>
      <div className="panel-body">{children}</div>
      {footer}
    </section>
  );
}
