module.exports = {
  displayName: 'control-plane',
  preset: '../../jest.preset.js',
  rootDir: __dirname,
  coverageDirectory: '../../coverage/apps/control-plane',
};
