module.exports = {
  displayName: 'content',
  preset: '../../jest.preset.js',
  rootDir: __dirname,
  coverageDirectory: '../../coverage/apps/content',
};
