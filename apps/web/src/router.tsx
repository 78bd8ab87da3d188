import { lazy, Suspense, type ReactNode } from 'react';
import { createBrowserRouter, Navigate } from 'react-router';

import { Loading } from './components/States';
import { Shell } from './components/Shell';

// Each page is its own chunk: the first screen loads only what it shows.
const SignIn = lazy(() => import('./pages/SignIn'));
const Domains = lazy(() => import('./pages/Domains'));
const ContentList = lazy(() => import('./pages/ContentList'));
const ContentEditor = lazy(() => import('./pages/ContentEditor'));
const Notifications = lazy(() => import('./pages/Notifications'));
const Publishing = lazy(() => import('./pages/Publishing'));
const Media = lazy(() => import('./pages/Media'));
const AuditLog = lazy(() => import('./pages/AuditLog'));
const Analytics = lazy(() => import('./pages/Analytics'));
const Seo = lazy(() => import('./pages/Seo'));

const page = (element: ReactNode) => <Suspense fallback={<Loading />}>{element}</Suspense>;

export const router = createBrowserRouter([
  { path: '/sign-in', element: page(<SignIn />) },
  {
    path: '/',
    element: <Shell />,
    children: [
      { index: true, element: <Navigate to="/content" replace /> },
      { path: 'domains', element: page(<Domains />) },
      { path: 'content', element: page(<ContentList />) },
      { path: 'content/:id', element: page(<ContentEditor />) },
      { path: 'notifications', element: page(<Notifications />) },
      { path: 'publishing', element: page(<Publishing />) },
      { path: 'media', element: page(<Media />) },
      { path: 'audit', element: page(<AuditLog />) },
      { path: 'analytics', element: page(<Analytics />) },
      { path: 'seo', element: page(<Seo />) },
      { path: 'seo/keywords/:id', element: page(<Seo />) },
      { path: '*', element: <Navigate to="/content" replace /> },
    ],
  },
]);
