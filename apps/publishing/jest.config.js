module.exports = {
  displayName: 'publishing',
  preset: '../../jest.preset.js',
  rootDir: __dirname,
  coverageDirectory: '../../coverage/apps/publishing',
};
