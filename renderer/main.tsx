import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { connectApi } from './api/connect.ts';
import { bindStore } from './store/bind.ts';
import { persistViewPrefs } from './store/persist.ts';
import { createOrdoStore } from './store/store.ts';
import { App } from './ui/App.tsx';
import { ConfirmProvider } from './ui/Confirm.tsx';
import { OrdoProvider } from './ui/context.tsx';
import './styles.css';

const api = connectApi();
const store = createOrdoStore();
bindStore(api, store);
persistViewPrefs(store);

const root = document.getElementById('root');
if (!root) throw new Error('#root missing from index.html');
createRoot(root).render(
  <StrictMode>
    <OrdoProvider api={api} store={store}>
      <ConfirmProvider>
        <App />
      </ConfirmProvider>
    </OrdoProvider>
  </StrictMode>,
);
