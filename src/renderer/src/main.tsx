import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import { resolveClient } from './transport/client';
import './styles.css';

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App client={resolveClient()} />
  </StrictMode>,
);
