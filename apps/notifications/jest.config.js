module.exports = {
  displayName: 'notifications',
  preset: '../../jest.preset.js',
  rootDir: __dirname,
  coverageDirectory: '../../coverage/apps/notifications',
};
