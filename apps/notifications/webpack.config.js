module.exports = require('../../tools/webpack/app-config')('notifications', __dirname);
